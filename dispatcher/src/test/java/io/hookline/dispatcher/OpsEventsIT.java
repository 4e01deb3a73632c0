package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.AttemptRecord;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.OpsTopic;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WebhookResponse;
import io.hookline.testkit.WithKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code delivery.exhausted} and {@code delivery.recovered} on a real broker: an operator subscribes a local receiver
 * to the system topic {@code hookline.ops} like to any other topic and receives them as webhooks; the ops events
 * topic itself is read to prove what was <em>not</em> reported. Recoveries are reported after 3 failures in a row.
 */
@WithKafka
class OpsEventsIT {
    private static final Duration WAIT = TestDispatcher.WAIT;

    static TestKafka kafka;
    private static TestDispatcher dispatcher;
    private static HooklineTopics topics;
    private static WebhookReceiver operator;
    private static TestSubscription operatorSubscription;

    @BeforeAll
    static void start() {
        dispatcher = TestDispatcher.start(kafka, Map.of("payments", 2), "HOOKLINE_DELIVERY_PARTITIONS", "2",
                "HOOKLINE_RETRY_TIERS", "200ms,1s", "HOOKLINE_BREAKER_FAILURES", "0", "HOOKLINE_RECOVERED_AFTER", "3");
        topics = dispatcher.topics;
        operator = WebhookReceiver.start();
        // What the registrar's admin key creates: a subscription of tenant default to the system topic.
        operatorSubscription = topics.subscription("default", operator.url("/ops"), OpsTopic.NAME);
        dispatcher.subscribe(operatorSubscription.record());
    }

    @AfterAll
    static void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (operator != null) {
            operator.close();
        }
    }

    private static TestSubscription subscribe(String tenant, String url, List<String> schedule) {
        return dispatcher.subscribe(tenant, url, "payments", schedule, 1);
    }

    private static EventEnvelope publish(String tenant) {
        EventEnvelope event = topics.event("payments", tenant, "{\"amount\":42}");
        topics.publish(event);
        return event;
    }

    /** The {@code data} of every webhook the operator received, of the given type, about the subscription. */
    private static List<JsonNode> received(String type, String subscriptionId) {
        List<JsonNode> out = new ArrayList<>();
        for (RecordedRequest request : operator.requests()) {
            JsonNode body = readTree(request.body());
            JsonNode data = body.path("data");
            if (body.path("type").asText().equals(OpsTopic.NAME) && data.path("type").asText().equals(type)
                    && data.path("subscriptionId").asText().equals(subscriptionId)) {
                out.add(data);
            }
        }
        return out;
    }

    /** Every payload on the ops events topic. */
    private static List<JsonNode> published() {
        return topics.readCommitted(topics.names.events(OpsTopic.NAME)).stream()
                .map(r -> Json.read(r.value(), EventEnvelope.class).payload()).toList();
    }

    /**
     * Every payload on the ops events topic once everything reported before this call is there: a 410 makes a last
     * report, and the reports go out one after another onto one partition.
     */
    private static List<JsonNode> publishedSoFar() {
        try (WebhookReceiver gone = WebhookReceiver.start()) {
            gone.respondWith(410);
            TestSubscription sentinel = subscribe("sentinel", gone.url("/"), List.of("200ms"));
            publish("sentinel");
            return await("the sentinel's report").atMost(WAIT).until(OpsEventsIT::published, found -> found.stream()
                    .anyMatch(p -> p.path("subscriptionId").asText().equals(sentinel.id())));
        }
    }

    private static List<DeadLetter> deadLetters(String subscriptionId) {
        return topics.readCommitted(topics.names.dlq()).stream().filter(r -> subscriptionId.equals(r.key()))
                .map(r -> Json.read(r.value(), DeadLetter.class)).toList();
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return Json.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDeadLetteredTaskIsReportedOnceAsDeliveryExhausted() {
        try (WebhookReceiver failing = WebhookReceiver.start()) {
            failing.respondWith(500);
            TestSubscription sub = subscribe("acme", failing.url("/"), List.of("200ms", "200ms"));
            EventEnvelope event = publish("acme");

            JsonNode report = await("delivery.exhausted at the operator").atMost(WAIT)
                    .until(() -> received("delivery.exhausted", sub.id()), found -> !found.isEmpty()).get(0);
            DeadLetter letter = deadLetters(sub.id()).get(0);
            assertThat(report.get("tenant").asText()).isEqualTo("acme");
            assertThat(report.get("eventId").asText()).isEqualTo(event.id());
            assertThat(report.get("topic").asText()).isEqualTo("payments");
            assertThat(report.get("reason").asText()).isEqualTo("exhausted");
            assertThat(report.get("attempts").asInt()).isEqualTo(3);
            assertThat(report.get("lastStatus").asInt()).isEqualTo(500);
            assertThat(report.get("lastError").asText()).isEqualTo("HTTP 500");
            assertThat(report.get("deadLetterId").asText()).isEqualTo(letter.id());
            assertThat(Instant.parse(report.get("at").asText())).isEqualTo(letter.deadAt());

            assertThat(publishedSoFar()).filteredOn(p -> p.path("subscriptionId").asText().equals(sub.id()))
                    .singleElement().satisfies(p -> assertThat(p.get("type").asText()).isEqualTo("delivery.exhausted"));
            assertThat(dispatcher.service.meterRegistry().scrape()).contains("hookline_ops_events_total{",
                    "type=\"delivery.exhausted\"", "outcome=\"published\"");
        }
    }

    @Test
    void aSubscriptionThatSucceedsAfterFailingIsReportedOnceAsDeliveryRecovered() {
        try (WebhookReceiver flaky = WebhookReceiver.start()) {
            AtomicInteger calls = new AtomicInteger();
            // Requests 1-3 fail (a streak of 3: reported when request 4 succeeds); 5-6 fail (2: too short), 7 succeeds.
            flaky.respondWith(request -> {
                int n = calls.incrementAndGet();
                return n <= 3 || n == 5 || n == 6 ? WebhookResponse.status(503) : WebhookResponse.status(204);
            });
            TestSubscription sub = subscribe("acme", flaky.url("/"), List.of("200ms", "200ms", "200ms", "200ms"));
            publish("acme");

            JsonNode report = await("delivery.recovered at the operator").atMost(WAIT)
                    .until(() -> received("delivery.recovered", sub.id()), found -> !found.isEmpty()).get(0);
            List<AttemptRecord> attempts = await("four attempts recorded").atMost(WAIT)
                    .until(() -> topics.readAttempts().stream().filter(a -> a.subscriptionId().equals(sub.id()))
                            .sorted(Comparator.comparingInt(AttemptRecord::attempt)).toList(), found -> found.size() == 4);
            assertThat(report.get("tenant").asText()).isEqualTo("acme");
            assertThat(report.get("failures").asInt()).isEqualTo(3);
            assertThat(Instant.parse(report.get("failingSince").asText())).isEqualTo(attempts.get(0).startedAt());
            assertThat(Instant.parse(report.get("at").asText())).isAfterOrEqualTo(attempts.get(3).startedAt());

            publish("acme");
            await("the second event delivered after two failures").atMost(WAIT).until(() -> calls.get() >= 7);
            assertThat(publishedSoFar()).filteredOn(p -> p.path("subscriptionId").asText().equals(sub.id()))
                    .singleElement().satisfies(p -> assertThat(p.get("type").asText()).isEqualTo("delivery.recovered"));
        }
    }

    @Test
    void theDeadLettersOfOpsEventsAreNotReportedSoAFailingOperatorEndpointCannotFeedOnItsOwnReports() {
        try (WebhookReceiver brokenOperator = WebhookReceiver.start(); WebhookReceiver gone = WebhookReceiver.start()) {
            brokenOperator.respondWith(500);
            gone.respondWith(410);
            TestSubscription broken = topics.subscription("default", brokenOperator.url("/ops"), List.of(OpsTopic.NAME),
                    r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, 1, 5_000,
                            List.of("200ms"), null, null, null, SubscriptionRecord.ACTIVE, 1, r.secrets(),
                            r.createdAt(), r.updatedAt()));
            dispatcher.subscribe(broken.record());
            try {
                TestSubscription sub = subscribe("acme", gone.url("/"), List.of("200ms"));
                EventEnvelope event = publish("acme");

                // The report of the 410 reaches the healthy operator; the broken one fails it twice: a dead letter.
                JsonNode report = await("delivery.exhausted at the operator").atMost(WAIT)
                        .until(() -> received("delivery.exhausted", sub.id()), found -> !found.isEmpty()).get(0);
                assertThat(report.get("reason").asText()).isEqualTo("gone");
                assertThat(report.get("attempts").asInt()).isEqualTo(1);
                assertThat(report.get("lastStatus").asInt()).isEqualTo(410);
                assertThat(report.get("eventId").asText()).isEqualTo(event.id());
                DeadLetter opsLetter = await("the broken operator's dead letter").atMost(WAIT)
                        .until(() -> deadLetters(broken.id()), found -> !found.isEmpty()).get(0);
                assertThat(opsLetter.task().event().topic()).isEqualTo(OpsTopic.NAME);

                assertThat(publishedSoFar()).as("reports about the broken operator subscription")
                        .noneMatch(p -> p.path("subscriptionId").asText().equals(broken.id()))
                        .noneMatch(p -> p.path("topic").asText().equals(OpsTopic.NAME));
            } finally {
                topics.delete(broken.id());
            }
        }
    }
}
