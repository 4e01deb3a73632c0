package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerificationException;
import io.hookline.signature.WebhookVerifier;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookRequestFactoryTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
    private final WebhookRequestFactory factory = new WebhookRequestFactory(cipher);
    private final WebhookSecret current = WebhookSecret.generate();
    private final WebhookSecret previous = WebhookSecret.generate();

    private EventEnvelope event() throws IOException {
        return new EventEnvelope("evt_01J0000000000000000000000", "orders.created", "acme", null, null,
                Instant.parse("2026-03-01T11:59:00Z"), Instant.parse("2026-03-01T11:59:01Z"),
                Json.readTree("{\"order\":42,\"items\":[1,2]}".getBytes()));
    }

    private SubscriptionRecord subscription(List<SubscriptionRecord.SigningSecret> secrets, Map<String, String> headers) {
        return new SubscriptionRecord("sub_1", "acme", "https://hooks.example.com/in?x=1", List.of("orders.*"), null,
                headers, null, null, 2500, null, null, null, null, "active", 3, secrets, NOW, NOW);
    }

    private static WebhookVerifier verifier(WebhookSecret secret) {
        return new WebhookVerifier(List.of(secret), Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void buildsTheStandardWebhooksRequestOfTheDesign() throws Exception {
        Map<String, String> custom = new LinkedHashMap<>();
        custom.put("X-Team", "payments");
        SubscriptionRecord subscription = subscription(
                List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(current.toString()), null)), custom);
        DeliveryTask task = DeliveryTask.first(event(), "sub_1", NOW, 3, 77);

        WebhookRequest request = factory.build(task, subscription, NOW);

        assertThat(request.url().toString()).isEqualTo("https://hooks.example.com/in?x=1");
        assertThat(request.timeout()).isEqualTo(Duration.ofMillis(2500));
        JsonNode body = Json.readTree(request.body());
        assertThat(body.get("type").asText()).isEqualTo("orders.created");
        assertThat(body.get("timestamp").asText()).isEqualTo("2026-03-01T11:59:00Z");
        assertThat(body.get("data")).isEqualTo(event().payload());
        assertThat(request.header("webhook-id")).isEqualTo("evt_01J0000000000000000000000");
        assertThat(request.header("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.header("user-agent")).matches("Hookline/\\S+");
        assertThat(request.header("hookline-attempt")).isEqualTo("1");
        assertThat(request.header("hookline-subscription")).isEqualTo("sub_1");
        assertThat(request.header("x-team")).isEqualTo("payments");
        assertThatCode(() -> verifier(current).verify(request::header, request.body())).doesNotThrowAnyException();
    }

    @Test
    void signsWithEverySecretStillInItsRotationGracePeriod() throws Exception {
        SubscriptionRecord subscription = subscription(List.of(
                new SubscriptionRecord.SigningSecret(cipher.encrypt(current.toString()), null),
                new SubscriptionRecord.SigningSecret(cipher.encrypt(previous.toString()), NOW.plusSeconds(60))),
                null);
        WebhookRequest request = factory.build(DeliveryTask.first(event(), "sub_1", NOW, 0, 0), subscription, NOW);
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
        verifier(current).verify(request::header, request.body());
        verifier(previous).verify(request::header, request.body());

        WebhookRequest later = factory.build(DeliveryTask.first(event(), "sub_1", NOW, 0, 0), subscription,
                NOW.plusSeconds(61));
        assertThat(later.header("webhook-signature").split(" ")).hasSize(1);
        WebhookVerifier previousOnly = new WebhookVerifier(List.of(previous), Duration.ofMinutes(5),
                Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC));
        assertThatThrownBy(() -> previousOnly.verify(later::header, later.body()))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void customHeadersCannotOverrideProtocolOrSignatureHeaders() throws Exception {
        Map<String, String> custom = new LinkedHashMap<>();
        custom.put("Webhook-Signature", "v1,forged");
        custom.put("Content-Type", "text/plain");
        custom.put("Hookline-Attempt", "99");
        custom.put("Host", "internal");
        SubscriptionRecord subscription = subscription(
                List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(current.toString()), null)), custom);
        WebhookRequest request = factory.build(DeliveryTask.first(event(), "sub_1", NOW, 0, 0), subscription, NOW);
        assertThat(request.headers()).extracting(Map.Entry::getKey).doesNotHaveDuplicates().doesNotContain("host");
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.header("hookline-attempt")).isEqualTo("1");
    }

    /** Checked once per subscription version, so a record that bypassed the registrar cannot inject headers. */
    @Test
    void refusesToBuildWithACustomHeaderThatIsNotValidHttp() throws Exception {
        List<SubscriptionRecord.SigningSecret> secrets =
                List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(current.toString()), null));
        DeliveryTask task = DeliveryTask.first(event(), "sub_1", NOW, 0, 0);
        assertThatThrownBy(() -> factory.build(task, subscription(secrets, Map.of("x-note", "a\r\nx-injected: 1")),
                NOW)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-note");
        assertThatThrownBy(() -> factory.build(task, subscription(secrets, Map.of("bad name", "v")), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad name");
        assertThat(factory.build(task, subscription(secrets, Map.of("x-ok", "tab\tand Latin-1 \u00e9")), NOW)
                .header("x-ok")).isEqualTo("tab\tand Latin-1 \u00e9");
    }

    @Test
    void refusesToBuildWithoutAUsableSecret() throws Exception {
        DeliveryTask task = DeliveryTask.first(event(), "sub_1", NOW, 0, 0);
        assertThatThrownBy(() -> factory.build(task, subscription(List.of(), null), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no active signing secret");
        String foreign = SecretCipher.fromBase64Key(SecretCipher.generateKey()).encrypt(current.toString());
        assertThatThrownBy(() -> factory.build(task,
                subscription(List.of(new SubscriptionRecord.SigningSecret(foreign, null)), null), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOOKLINE_SECRET_KEY");
    }
}
