package io.hookline.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
    // Test vector published with the Standard Webhooks reference libraries.
    private static final WebhookSecret SECRET = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330L;
    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesTheReferenceVector() {
        assertThat(WebhookSigner.sign(ID, TIMESTAMP, BODY, SECRET))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void signsOncePerSecretDuringRotation() {
        WebhookSecret next = WebhookSecret.generate();
        String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(SECRET, next));
        assertThat(header.split(" ")).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1,"));
    }

    @Test
    void verifierAcceptsEitherSecretOfARotation() throws Exception {
        WebhookSecret next = WebhookSecret.generate();
        String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(SECRET, next));
        Clock at = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC);
        new WebhookVerifier(List.of(next), Duration.ofMinutes(5), at).verify(ID, "" + TIMESTAMP, header, BODY);
        new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), at).verify(ID, "" + TIMESTAMP, header, BODY);
    }

    @Test
    void verifierRejectsStaleAndFutureTimestamps() {
        String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, SECRET);
        for (long offset : new long[] {-301, 301}) {
            Clock at = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + offset), ZoneOffset.UTC);
            assertThatThrownBy(() -> new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), at)
                    .verify(ID, "" + TIMESTAMP, header, BODY))
                    .isInstanceOf(WebhookVerificationException.class)
                    .hasMessageContaining("tolerance");
        }
    }

    @Test
    void extremeTimestampsCannotOverflowTheToleranceCheck() {
        Clock at = Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC);
        WebhookVerifier verifier = new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), at);
        for (long ts : new long[] {1_767_225_600L + Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE}) {
            String header = WebhookSigner.sign(ID, ts, BODY, SECRET);
            assertThatThrownBy(() -> verifier.verify(ID, Long.toString(ts), header, BODY))
                    .as("timestamp %d", ts)
                    .isInstanceOf(WebhookVerificationException.class)
                    .hasMessageContaining("tolerance");
        }
    }

    @Test
    void verifierRejectsMissingHeadersAndOtherVersions() {
        Clock at = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC);
        WebhookVerifier verifier = new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), at);
        String v1 = WebhookSigner.sign(ID, TIMESTAMP, BODY, SECRET);
        assertThatThrownBy(() -> verifier.verify(null, "" + TIMESTAMP, v1, BODY))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(ID, "soon", v1, BODY))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(ID, "" + TIMESTAMP, v1.replace("v1,", "v2,"), BODY))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void secretsRoundTripAndRejectBadLengths() {
        WebhookSecret generated = WebhookSecret.generate();
        assertThat(WebhookSecret.parse(generated.toString())).isEqualTo(generated);
        assertThat(generated.toString()).startsWith("whsec_");
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_c2hvcnQ=")).hasMessageContaining("24 to 64 bytes");
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_not base64!")).hasMessageContaining("base64");
    }
}
