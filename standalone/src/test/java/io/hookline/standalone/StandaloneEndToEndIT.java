package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerificationException;
import io.hookline.signature.WebhookVerifier;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The README walkthrough, in-process: the whole standalone (embedded KRaft broker, embedded PostgreSQL, all four
 * services) on free ports, a real local receiver, and the Standard Webhooks signature checked on arrival; then
 * what crosses service boundaries: registrar-made tenant keys and topic schemas at the gateway, and a secret
 * rotation seen by receivers holding either secret.
 */
@WithStandalone
class StandaloneEndToEndIT {
    static Standalone hookline;
    static HooklineApi api;
    static WebhookReceiver receiver;

    @Test
    void everyServiceIsHealthyAndReady() {
        for (int port : new int[] {hookline.gatewayPort(), hookline.registrarPort(), hookline.dispatcherPort(),
                hookline.replayerPort()}) {
            assertThat(api.status(port, "/healthz")).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.status(port, "/readyz") == 200);
            assertThat(api.status(port, "/metrics")).isEqualTo(200);
        }
    }

    @Test
    void aPublishedEventArrivesSignedAtTheSubscribedReceiver() throws Exception {
        var topic = api.post(hookline.registrarPort(), "/v1/topics", "{\"name\":\"orders.created\"}");
        assertThat(topic.status()).as(topic.raw()).isEqualTo(201);

        var subscription = api.post(hookline.registrarPort(), "/v1/subscriptions",
                Json.writeString(Map.of("url", receiver.url("/webhooks"), "topics", List.of("orders.*"))));
        assertThat(subscription.status()).as(subscription.raw()).isEqualTo(201);
        String subscriptionId = subscription.body().get("id").asText();
        String secret = subscription.body().get("secret").asText();
        assertThat(subscriptionId).startsWith("sub_");
        assertThat(secret).startsWith("whsec_");

        // The gateway learns about the new topic from Kafka; until then the topic is unknown to it (404).
        String[] eventId = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var published = api.post(hookline.gatewayPort(), "/v1/topics/orders.created/events",
                    "{\"orderId\":42,\"total\":\"19.99\"}");
            if (published.status() == 202) {
                eventId[0] = published.body().get("id").asText();
                return true;
            }
            assertThat(published.status()).as(published.raw()).isEqualTo(404);
            return false;
        });
        assertThat(eventId[0]).startsWith("evt_");

        await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.requests("/webhooks").isEmpty());
        RecordedRequest request = receiver.requests("/webhooks").get(0);
        new WebhookVerifier(WebhookSecret.parse(secret)).verify(request.headers(), request.body());
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/webhooks");
        assertThat(request.header("webhook-id")).isEqualTo(eventId[0]);
        assertThat(request.header("hookline-subscription")).isEqualTo(subscriptionId);
        assertThat(request.header("hookline-attempt")).isEqualTo("1");
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("user-agent")).startsWith("Hookline/");
        JsonNode body = Json.MAPPER.readTree(request.body());
        assertThat(body.get("type").asText()).isEqualTo("orders.created");
        assertThat(Instant.parse(body.get("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(body.get("data")).isEqualTo(Json.MAPPER.readTree("{\"orderId\":42,\"total\":\"19.99\"}"));
        // Exactly one delivery for one event and one subscription.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> receiver.requests("/webhooks").size() == 1);
    }

    /**
     * Keys and topics made through the registrar reach the gateway through Kafka: a tenant's key publishes to its own
     * topic, validated against the topic's JSON Schema, and finds another tenant's topic missing (404, as for a topic
     * that does not exist).
     */
    @Test
    void registrarKeysAndSchemasGovernPublishingAtTheGateway() throws Exception {
        HooklineApi alpha = new HooklineApi(tenantKey("alpha"));
        HooklineApi beta = new HooklineApi(tenantKey("beta"));
        var topic = alpha.post(hookline.registrarPort(), "/v1/topics",
                "{\"name\":\"alpha.orders\",\"schema\":{\"type\":\"object\",\"required\":[\"orderId\"]}}");
        assertThat(topic.status()).as(topic.raw()).isEqualTo(201);

        // The gateway learns the key and the topic from Kafka; until then both look unknown.
        await().atMost(Duration.ofSeconds(30)).until(() ->
                alpha.post(hookline.gatewayPort(), "/v1/topics/alpha.orders/events", "{\"orderId\":1}").status() == 202);
        var invalid = alpha.post(hookline.gatewayPort(), "/v1/topics/alpha.orders/events", "{\"total\":3}");
        assertThat(invalid.status()).as(invalid.raw()).isEqualTo(422);

        var foreign = beta.post(hookline.gatewayPort(), "/v1/topics/alpha.orders/events", "{\"orderId\":2}");
        var unknown = beta.post(hookline.gatewayPort(), "/v1/topics/no.such.topic/events", "{\"orderId\":2}");
        assertThat(foreign.status()).as(foreign.raw()).isEqualTo(404);
        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(404);
        assertThat(foreign.body().get("title")).isEqualTo(unknown.body().get("title"));
        assertThat(beta.get(hookline.registrarPort(), "/v1/topics/alpha.orders").status()).isEqualTo(404);
    }

    private static String tenantKey(String tenant) throws Exception {
        var key = api.post(hookline.registrarPort(), "/v1/api-keys",
                "{\"tenant\":\"" + tenant + "\",\"scopes\":[\"publish\",\"manage\"]}");
        assertThat(key.status()).as(key.raw()).isEqualTo(201);
        return key.body().get("key").asText();
    }

    /**
     * Rotation with a grace period, end to end: once the dispatcher has the rotated subscription, each delivery is
     * signed with both secrets, so a receiver still holding the old one and a receiver holding the new one both
     * verify it with the Standard Webhooks verifier.
     */
    @Test
    void afterARotationBothSecretsVerifyDeliveriesDuringTheGracePeriod() throws Exception {
        assertThat(api.post(hookline.registrarPort(), "/v1/topics", "{\"name\":\"rotation.test\"}").status())
                .isEqualTo(201);
        var subscription = api.post(hookline.registrarPort(), "/v1/subscriptions",
                Json.writeString(Map.of("url", receiver.url("/rotated"), "topics", List.of("rotation.test"))));
        assertThat(subscription.status()).as(subscription.raw()).isEqualTo(201);
        String id = subscription.body().get("id").asText();
        WebhookVerifier oldSecret = new WebhookVerifier(WebhookSecret.parse(subscription.body().get("secret").asText()));
        var rotated = api.post(hookline.registrarPort(), "/v1/subscriptions/" + id + "/rotate-secret",
                "{\"graceSeconds\":3600}");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        WebhookVerifier newSecret = new WebhookVerifier(WebhookSecret.parse(rotated.body().get("secret").asText()));

        // Deliveries made before the rotation reached the dispatcher carry the old signature only; keep publishing
        // until one verifies with the new secret.
        RecordedRequest signedWithNew = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    var published = api.post(hookline.gatewayPort(), "/v1/topics/rotation.test/events", "{\"n\":1}");
                    assertThat(published.status()).as(published.raw()).isIn(202, 404);
                    return receiver.requests("/rotated").stream().filter(r -> verifies(newSecret, r))
                            .findFirst().orElse(null);
                }, Objects::nonNull);
        oldSecret.verify(signedWithNew.headers(), signedWithNew.body());
        assertThat(signedWithNew.header("webhook-signature").split(" ")).hasSize(2);
    }

    private static boolean verifies(WebhookVerifier verifier, RecordedRequest request) {
        try {
            verifier.verify(request.headers(), request.body());
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }
}
