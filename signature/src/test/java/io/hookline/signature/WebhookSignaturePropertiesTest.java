package io.hookline.signature;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;

class WebhookSignaturePropertiesTest {
    private static final WebhookSecret SECRET = WebhookSecret.generate();

    private static WebhookVerifier verifierAt(long seconds) {
        return new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(seconds), ZoneOffset.UTC));
    }

    @Property
    void everySignedMessageVerifies(@ForAll @NotEmpty String id, @ForAll @LongRange(min = 0, max = 4_000_000_000L) long ts,
                                    @ForAll @Size(max = 2048) byte[] body) {
        String header = WebhookSigner.sign(id, ts, body, SECRET);
        assertThatCode(() -> verifierAt(ts).verify(id, Long.toString(ts), header, body)).doesNotThrowAnyException();
    }

    @Property
    void anyFlippedBodyBitFailsVerification(@ForAll @Size(min = 1, max = 512) byte[] body,
                                            @ForAll @IntRange(min = 0, max = 4095) int bit) {
        long ts = 1_700_000_000L;
        String header = WebhookSigner.sign("evt_1", ts, body, SECRET);
        byte[] tampered = body.clone();
        int i = bit / 8 % tampered.length;
        tampered[i] ^= (byte) (1 << (bit % 8));
        assertThatThrownBy(() -> verifierAt(ts).verify("evt_1", Long.toString(ts), header, tampered))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Property
    void arbitraryHeadersNeverEscapeAsUncheckedExceptions(@ForAll String id, @ForAll String timestamp,
                                                          @ForAll String signature, @ForAll byte[] body) {
        try {
            verifierAt(1_700_000_000L).verify(id, timestamp, signature, body);
        } catch (WebhookVerificationException expected) {
            // rejection is the normal outcome for garbage; anything else would fail the property
        }
    }

    @Property
    void arbitrarySecretTextIsEitherParsedOrRejectedWithIllegalArgument(@ForAll String text) {
        try {
            WebhookSecret.parse(text);
        } catch (IllegalArgumentException expected) {
            // fine: a clear rejection
        }
    }
}
