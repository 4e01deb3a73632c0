package io.hookline.dispatcher;

import static io.hookline.dispatcher.TestDispatcher.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.common.event.AttemptRecord;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerifier;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WebhookResponse;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole dispatcher (fan-out + delivery) on a real broker delivering to real local HTTP receivers. The
 * deliveries topic has one partition here, so every subscription of every test shares it: that is the hard case
 * for isolation and for the offset watermark. Every test uses its own tenant.
 */
@WithKafka
class DeliveryIT {
    static TestKafka kafka;
    private static TestDispatcher dispatcher;
    private static HooklineTopics topics;

    @BeforeAll
    static void startDispatcher() {
        dispatcher = TestDispatcher.start(kafka, Map.of("orders.created", 2, "orders.shipped", 1),
                "HOOKLINE_DELIVERY_PARTITIONS", "1");
        topics = dispatcher.topics;
    }

    @AfterAll
    static void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private static TestSubscription subscribe(TestSubscription subscription) {
        return subscribe(subscription, subscription.record());
    }

    private static TestSubscription subscribe(TestSubscription original, SubscriptionRecord record) {
        dispatcher.subscribe(record);
        return new TestSubscription(record, original.secret());
    }

    private static List<EventEnvelope> publish(int count, String topic, String tenant) {
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EventEnvelope event = topics.event(topic, tenant, "{\"n\":" + i + ",\"tenant\":\"" + tenant + "\"}");
            topics.publish(event);
            events.add(event);
        }
        return events;
    }

    private static List<AttemptRecord> attemptsOf(String subscriptionId, int atLeast) {
        return await("attempts of " + subscriptionId).atMost(WAIT).until(
                () -> topics.readAttempts().stream().filter(a -> a.subscriptionId().equals(subscriptionId)).toList(),
                found -> found.size() >= atLeast);
    }

    @Test
    void deliversOneSignedRequestPerEventToEveryMatchingSubscription() throws Exception {
        try (WebhookReceiver a = WebhookReceiver.start(); WebhookReceiver b = WebhookReceiver.start();
             WebhookReceiver off = WebhookReceiver.start()) {
            TestSubscription wildcard = topics.subscription("signed", a.url("/hooks?source=hookline"),
                    List.of("orders.*"), r -> HooklineTopics.with(r, "active", null, null, null,
                            Map.of("X-Team", "payments"), null));
            subscribe(wildcard);
            // b is mid-rotation: the old secret still signs until its grace period ends.
            WebhookSecret old = WebhookSecret.generate();
            TestSubscription rotating = topics.subscription("signed", b.url("/b"), List.of("orders.created"),
                    r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, null, null,
                            null, null, null, null, "active", 2, List.of(r.secrets().get(0),
                            new SubscriptionRecord.SigningSecret(topics.cipher.encrypt(old.toString()),
                                    Instant.now().plusSeconds(3600))), r.createdAt(), r.updatedAt()));
            subscribe(rotating);
            TestSubscription disabled = topics.subscription("signed", off.url("/off"), List.of("*"),
                    r -> HooklineTopics.withStatus(r, SubscriptionRecord.DISABLED));
            subscribe(disabled);

            List<EventEnvelope> created = publish(5, "orders.created", "signed");
            List<EventEnvelope> shipped = publish(2, "orders.shipped", "signed");
            List<EventEnvelope> all = new ArrayList<>(created);
            all.addAll(shipped);

            List<RecordedRequest> toA = a.awaitRequests(7, WAIT);
            List<RecordedRequest> toB = b.awaitRequests(5, WAIT);
            Map<String, EventEnvelope> byId = all.stream().collect(Collectors.toMap(EventEnvelope::id, e -> e));
            verifyAll(toA, wildcard, List.of(wildcard.secret()), byId);
            verifyAll(toB, rotating, List.of(rotating.secret(), old), byId);
            assertThat(toA).extracting(r -> r.header("webhook-id"))
                    .containsExactlyInAnyOrderElementsOf(byId.keySet());
            assertThat(toB).extracting(r -> r.header("webhook-id"))
                    .containsExactlyInAnyOrderElementsOf(created.stream().map(EventEnvelope::id).toList());
            assertThat(toA).allSatisfy(r -> {
                assertThat(r.path()).isEqualTo("/hooks");
                assertThat(r.query()).isEqualTo("source=hookline");
                assertThat(r.header("x-team")).isEqualTo("payments");
            });
            assertThat(toB).allSatisfy(r -> assertThat(r.header("webhook-signature").split(" ")).hasSize(2));

            List<AttemptRecord> attempts = attemptsOf(wildcard.id(), 7);
            assertThat(attempts).hasSize(7).allSatisfy(attempt -> {
                assertThat(attempt.outcome()).isEqualTo("success");
                assertThat(attempt.statusCode()).isEqualTo(204);
                assertThat(attempt.attempt()).isEqualTo(1);
                assertThat(attempt.tenant()).isEqualTo("signed");
                assertThat(attempt.error()).isNull();
            });
            // The disabled subscription got no task at all, so it cannot receive anything later either.
            topics.awaitFannedOut(WAIT, "orders.created", "orders.shipped");
            assertThat(topics.readTasks()).noneMatch(t -> t.subscriptionId().equals(disabled.id()));
            assertThat(off.requests()).isEmpty();
            assertThat(toA.size() + toB.size()).isEqualTo(12); // nothing delivered twice
        }
    }

    /** A task written by version 1 (record binding, ISO-8601 instants) before an upgrade is still delivered. */
    @Test
    void aTaskInTheVersionOneFormatIsStillDelivered() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            TestSubscription sub = subscribe(topics.subscription("v1", receiver.url("/old"), "orders.shipped"));
            EventEnvelope event = topics.event("orders.shipped", "v1", "{\"legacy\":[1,2.50,{\"a\":null}]}");
            ObjectNode task = Json.MAPPER.createObjectNode().put("v", 1);
            task.set("event", Json.MAPPER.valueToTree(event));
            task.put("subscriptionId", sub.id()).put("attempt", 1).put("dueAt", Instant.now().toString())
                    .put("sourcePartition", 0).put("sourceOffset", 0);
            assertThat(task.get("event").get("occurredAt").isTextual()).isTrue();
            topics.writeTaskJson(sub.id(), Json.writeString(task));

            List<RecordedRequest> requests = receiver.awaitRequests(1, WAIT);
            verifyAll(requests, sub, List.of(sub.secret()), Map.of(event.id(), event));
        }
    }

    private static void verifyAll(List<RecordedRequest> requests, TestSubscription subscription,
                                  List<WebhookSecret> secrets, Map<String, EventEnvelope> byId) throws Exception {
        for (RecordedRequest request : requests) {
            assertThat(request.method()).isEqualTo("POST");
            for (WebhookSecret secret : secrets) {
                assertThatCode(() -> new WebhookVerifier(secret).verify(request.headers(), request.body()))
                        .as("signature by %s", secret).doesNotThrowAnyException();
            }
            assertThat(request.header("content-type")).isEqualTo("application/json");
            assertThat(request.header("user-agent")).startsWith("Hookline/");
            assertThat(request.header("hookline-attempt")).isEqualTo("1");
            assertThat(request.header("hookline-subscription")).isEqualTo(subscription.id());
            JsonNode body = Json.readTree(request.body());
            EventEnvelope event = byId.get(request.header("webhook-id"));
            assertThat(event).isNotNull();
            assertThat(body.get("type").asText()).isEqualTo(event.topic());
            assertThat(Instant.parse(body.get("timestamp").asText())).isEqualTo(event.occurredAt());
            assertThat(body.get("data")).isEqualTo(event.payload());
            assertThat(body.size()).isEqualTo(3);
        }
    }

    /**
     * Waits until the dispatcher has taken every task queued so far on the (single) deliveries partition: a witness
     * task queued behind them has been delivered. Whatever limit holds back those tasks is then observable without
     * waiting on the clock.
     */
    private static void awaitWitness(String... fannedOutTopics) {
        topics.awaitFannedOut(WAIT, fannedOutTopics);
        try (WebhookReceiver witness = WebhookReceiver.start()) {
            String tenant = "witness-" + System.nanoTime();
            subscribe(topics.subscription(tenant, witness.url("/"), "orders.shipped"));
            publish(1, "orders.shipped", tenant);
            witness.awaitRequests(1, WAIT);
        }
    }

    @Test
    void maxInFlightIsNeverExceeded() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.holdResponses();
            TestSubscription sub = subscribe(topics.subscription("inflight", receiver.url("/"),
                    List.of("orders.created"), r -> HooklineTopics.with(r, "active", null, 3, 30_000, null, null)));
            publish(12, "orders.created", "inflight");
            awaitWitness("orders.created");

            await("three requests in flight").atMost(WAIT).until(() -> receiver.inFlight() >= 3);
            assertThat(receiver.requests()).hasSize(3);
            receiver.releaseResponses();
            receiver.awaitRequests(12, WAIT);
            assertThat(attemptsOf(sub.id(), 12)).hasSize(12);
        }
    }

    @Test
    void maxInFlightHoldsWhileCompletionsKeepFreeingSlots() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.holdResponses();
            TestSubscription sub = subscribe(topics.subscription("inflight-busy", receiver.url("/"),
                    List.of("orders.shipped"), r -> HooklineTopics.with(r, "active", null, 4, 30_000, null, null)));
            int count = 80;
            topics.publishAll(IntStream.range(0, count).mapToObj(i -> topics.event("orders.shipped",
                    "inflight-busy", "{\"n\":" + i + "}")).toList());
            awaitWitness("orders.shipped");
            await("four requests in flight").atMost(WAIT).until(() -> receiver.inFlight() >= 4);

            // Now every answer frees a slot that the next request takes at once, 76 times over: the race between a
            // completion and the next start is where an off-by-one would let a fifth request through.
            receiver.respondWith(request -> {
                try {
                    Thread.sleep(15); // the endpoint takes a moment, so requests overlap
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return WebhookResponse.status(204);
            });
            receiver.releaseResponses();
            receiver.awaitRequests(count, WAIT);
            assertThat(attemptsOf(sub.id(), count)).hasSize(count);
            assertThat(receiver.peakInFlight()).as("most concurrent requests the endpoint saw").isEqualTo(4);
        }
    }

    /**
     * Issue 6: the rate limit holds within 10 % over a 10 s window. The backlog is far more than the window's worth
     * and fully queued at the dispatcher before the window opens, so only the limiter decides how many arrive in it.
     */
    @Test
    void theRateLimitHoldsWithinTenPercentOverTenSeconds() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            double rate = 20;
            Duration window = Duration.ofSeconds(10);
            subscribe(topics.subscription("rate-window", receiver.url("/"), List.of("orders.shipped"),
                    r -> HooklineTopics.with(r, "active", rate, 50, null, null, null)));
            topics.publishAll(IntStream.range(0, 330).mapToObj(i -> topics.event("orders.shipped", "rate-window",
                    "{\"n\":" + i + "}")).toList());
            topics.awaitFannedOut(WAIT, "orders.shipped");
            receiver.awaitRequests(1, WAIT);

            Instant from = Instant.now().plusMillis(500);
            Instant to = from.plus(window);
            // Requests after the window show that the backlog never ran dry inside it.
            await("requests after the window").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> receiver.requests().stream().anyMatch(r -> r.receivedAt().isAfter(to)));
            long inWindow = receiver.requests().stream()
                    .filter(r -> !r.receivedAt().isBefore(from) && r.receivedAt().isBefore(to)).count();
            long expected = Math.round(rate * window.toSeconds());
            assertThat(inWindow).as("requests within %s at %s/s", window, rate)
                    .isBetween(Math.round(expected * 0.9), Math.round(expected * 1.1));
        }
    }

    @Test
    void aHangingEndpointDoesNotHoldUpSubscriptionsSharingItsPartition() {
        try (WebhookReceiver hanging = WebhookReceiver.start(); WebhookReceiver healthy = WebhookReceiver.start()) {
            hanging.holdResponses();
            subscribe(topics.subscription("isolation", hanging.url("/"), List.of("orders.*"),
                    r -> HooklineTopics.with(r, "active", null, 4, 120_000, null, null)));
            subscribe(topics.subscription("isolation", healthy.url("/"), List.of("orders.*"),
                    r -> HooklineTopics.with(r, "active", null, 4, 120_000, null, null)));
            publish(30, "orders.created", "isolation");

            try {
                // Every task of the healthy endpoint arrives while the hanging one holds all four of its slots.
                healthy.awaitRequests(30, WAIT);
                await("the hanging endpoint's four slots").atMost(WAIT).until(() -> hanging.inFlight() >= 4);
                assertThat(hanging.requests()).hasSize(4);
            } finally {
                hanging.releaseResponses();
            }
            hanging.awaitRequests(30, WAIT);
        }
    }

    @Test
    void anOrderedSubscriptionGetsOneRequestAtATimeInPublishOrder() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.holdResponses();
            subscribe(topics.subscription("ordered", receiver.url("/"), List.of("orders.created"),
                    r -> HooklineTopics.with(r, "active", null, 10, null, null, "ordered")));
            List<EventEnvelope> events = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                EventEnvelope plain = topics.event("orders.created", "ordered", "{\"seq\":" + i + "}");
                // One ordering key: one events partition, whose order the subscription asked to keep.
                EventEnvelope keyed = new EventEnvelope(plain.id(), plain.topic(), plain.tenant(), "customer-42",
                        null, plain.occurredAt(), plain.receivedAt(), plain.payload());
                topics.publish(keyed);
                events.add(keyed);
            }
            awaitWitness("orders.created");
            // Ten may be in flight, yet the head of the partition is alone until it is answered.
            await("the head request").atMost(WAIT).until(() -> receiver.inFlight() >= 1);
            assertThat(receiver.requests()).hasSize(1);
            receiver.releaseResponses();

            List<RecordedRequest> requests = receiver.awaitRequests(15, WAIT);
            assertThat(requests).extracting(r -> r.header("webhook-id"))
                    .containsExactlyElementsOf(events.stream().map(EventEnvelope::id).toList());
        }
    }

    @Test
    void exposesReadinessAndMetrics() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + dispatcher.service.httpPort();
        var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("subscription-index", "fan-out", "delivery");

        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribe(topics.subscription("metrics", receiver.url("/"), "orders.shipped"));
            publish(2, "orders.shipped", "metrics");
            receiver.awaitRequests(2, WAIT);
        }
        String metrics = await("delivery metrics").atMost(WAIT).until(() -> http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body(),
                body -> body.contains("hookline_deliveries_total{") && body.contains("outcome=\"success\""));
        assertThat(metrics).contains("hookline_fanout_events_total{", "hookline_fanout_tasks_total",
                "hookline_fanout_size_count", "hookline_subscription_index_size{", "hookline_subscription_index_lag_seconds",
                "hookline_delivery_latency_seconds_bucket{", "hookline_delivery_in_flight", "hookline_delivery_queued",
                "kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void theRateLimitIsHonoured() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribe(topics.subscription("rate", receiver.url("/"), List.of("orders.shipped"),
                    r -> HooklineTopics.with(r, "active", 10.0, 50, null, null, null)));
            publish(25, "orders.shipped", "rate");

            List<RecordedRequest> requests = receiver.awaitRequests(25, WAIT);
            Instant first = requests.get(0).receivedAt();
            Instant last = requests.get(requests.size() - 1).receivedAt();
            // 10/s with a burst of one: 24 gaps of 100 ms at least; allow 10 % for clock and network jitter.
            assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(2160));
        }
    }

    @Test
    void aSubscriptionDisabledWhileItsTasksWaitGetsNoMoreRequests() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.holdResponses();
            TestSubscription sub = subscribe(topics.subscription("disable", receiver.url("/"),
                    List.of("orders.shipped"), r -> HooklineTopics.with(r, "active", null, 1, 60_000, null, null)));
            publish(4, "orders.shipped", "disable");
            receiver.awaitRequests(1, WAIT);

            subscribe(sub, HooklineTopics.withStatus(sub.record(), SubscriptionRecord.DISABLED));
            receiver.releaseResponses();
            topics.awaitFannedOut(WAIT, "orders.shipped");
            topics.awaitDeliveriesFinal(WAIT);

            assertThat(receiver.requests()).hasSize(1);
            assertThat(attemptsOf(sub.id(), 1)).hasSize(1);
        }
    }

    @Test
    void everyAttemptIsRecordedWithItsOutcome() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String longBody = "x".repeat(10_000);
            receiver.respondWith(request -> switch (request.path()) {
                case "/fail" -> WebhookResponse.status(500).withBody(longBody);
                case "/gone" -> WebhookResponse.status(410);
                case "/busy" -> WebhookResponse.status(429).withHeader("Retry-After", "7");
                case "/redirect" -> WebhookResponse.status(302).withHeader("Location", receiver.url("/followed"));
                default -> WebhookResponse.status(204);
            });
            Map<String, TestSubscription> subs = Set.of("/fail", "/gone", "/busy", "/redirect").stream()
                    .collect(Collectors.toMap(path -> path,
                            path -> subscribe(topics.subscription("outcomes", receiver.url(path), "orders.shipped"))));
            publish(1, "orders.shipped", "outcomes");

            AttemptRecord fail = attemptsOf(subs.get("/fail").id(), 1).get(0);
            assertThat(fail.outcome()).isEqualTo("retryable");
            assertThat(fail.statusCode()).isEqualTo(500);
            assertThat(fail.error()).isEqualTo("HTTP 500");
            assertThat(fail.responseExcerpt()).hasSize(4096);

            AttemptRecord gone = attemptsOf(subs.get("/gone").id(), 1).get(0);
            assertThat(gone.outcome()).isEqualTo("gone");
            assertThat(gone.statusCode()).isEqualTo(410);

            AttemptRecord busy = attemptsOf(subs.get("/busy").id(), 1).get(0);
            assertThat(busy.outcome()).isEqualTo("retryable");
            assertThat(busy.retryAfterMs()).isEqualTo(7000);

            AttemptRecord redirect = attemptsOf(subs.get("/redirect").id(), 1).get(0);
            assertThat(redirect.outcome()).isEqualTo("retryable");
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.error()).contains("redirects are not followed");
            assertThat(receiver.requests("/followed")).isEmpty();
            assertThat(IntStream.of(fail.attempt(), gone.attempt(), busy.attempt(), redirect.attempt()))
                    .containsOnly(1);
        }
    }
}
