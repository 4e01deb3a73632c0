package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerifier;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README walkthrough, in-process: the whole standalone (embedded KRaft broker, embedded PostgreSQL, all four
 * services) on free ports, a real local receiver, and the Standard Webhooks signature checked on arrival.
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

        List<RecordedRequest> delivered = receiver.awaitRequests(1, Duration.ofSeconds(60));
        RecordedRequest request = delivered.get(0);
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
                .until(() -> receiver.requests().size() == 1);
    }
}
