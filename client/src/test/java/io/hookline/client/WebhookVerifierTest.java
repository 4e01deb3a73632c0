package io.hookline.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    private static final long NOW = 1_767_225_600L; // 2026-01-01T00:00:00Z
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    @Test
    void verifiesTheStandardWebhooksReferenceVector() {
        // The test vector of the Standard Webhooks reference libraries: proves any of them interoperates.
        WebhookVerifier verifier = new WebhookVerifier(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                WebhookVerifier.DEFAULT_TOLERANCE, Clock.fixed(Instant.ofEpochSecond(1614265330), ZoneOffset.UTC));
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

        assertThatCode(() -> verifier.verify("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body)).doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidWebhookException.class);
    }

    @Test
    void verifyEventReturnsTheParsedHooklineEvent() throws Exception {
        WebhookSecret secret = WebhookSecret.generate();
        byte[] body = "{\"type\":\"orders.created\",\"timestamp\":\"2026-01-01T00:00:00.250Z\",\"data\":{\"id\":\"o-1\",\"amount\":42}}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = Map.of(
                "Webhook-Id", List.of("evt_01J"),
                "Webhook-Timestamp", List.of(Long.toString(NOW)),
                "Webhook-Signature", List.of(WebhookSigner.sign("evt_01J", NOW, body, secret)),
                "Content-Type", List.of("application/json"));

        WebhookEvent event = new WebhookVerifier(List.of(secret.toString()), WebhookVerifier.DEFAULT_TOLERANCE, CLOCK)
                .verifyEvent(headers, body);

        assertThat(event.id()).isEqualTo("evt_01J");
        assertThat(event.type()).isEqualTo("orders.created");
        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
        assertThat(event.data().get("amount").asInt()).isEqualTo(42);
        assertThat(event.dataAs(HooklineClientTest.Order.class)).isEqualTo(new HooklineClientTest.Order("o-1", 42));
    }

    @Test
    void aSignatureOutsideTheToleranceIsRejectedEvenIfGenuine() {
        WebhookSecret secret = WebhookSecret.generate();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        WebhookVerifier verifier = new WebhookVerifier(List.of(secret.toString()), WebhookVerifier.DEFAULT_TOLERANCE, CLOCK);
        long old = NOW - 301;

        assertThatThrownBy(() -> verifier.verify("evt_1", Long.toString(old), WebhookSigner.sign("evt_1", old, body, secret), body))
                .isInstanceOf(InvalidWebhookException.class).hasMessageContaining("tolerance");
        long edge = NOW - 300;
        assertThatCode(() -> verifier.verify("evt_1", Long.toString(edge), WebhookSigner.sign("evt_1", edge, body, secret), body))
                .doesNotThrowAnyException();
    }

    @Test
    void missingHeadersAreNamed() {
        WebhookVerifier verifier = new WebhookVerifier(WebhookSecret.generate().toString());
        assertThatThrownBy(() -> verifier.verify(Map.of(), new byte[0]))
                .isInstanceOf(InvalidWebhookException.class).hasMessageContaining("webhook-id");
    }

    @Test
    void malformedSecretsAreRefusedWithTheirPosition() {
        assertThatThrownBy(() -> new WebhookVerifier("whsec_not*base64"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> new WebhookVerifier(List.of(WebhookSecret.generate().toString(), "whsec_AAAA")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("secrets[1]");
        assertThatThrownBy(() -> new WebhookVerifier(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVerifiedBodyThatIsNotAHooklineEventIsRejectedByVerifyEvent() {
        WebhookSecret secret = WebhookSecret.generate();
        byte[] body = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        WebhookVerifier verifier = new WebhookVerifier(List.of(secret.toString()), WebhookVerifier.DEFAULT_TOLERANCE, CLOCK);
        String signature = WebhookSigner.sign("evt_1", NOW, body, secret);

        assertThatCode(() -> verifier.verify("evt_1", Long.toString(NOW), signature, body)).doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verifyEvent(Map.of("webhook-id", List.of("evt_1"),
                "webhook-timestamp", List.of(Long.toString(NOW)), "webhook-signature", List.of(signature)), body))
                .isInstanceOf(InvalidWebhookException.class).hasMessageContaining("not a JSON object");
    }
}
