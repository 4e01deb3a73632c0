package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.dispatcher.retry.RetryHeaders;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WebhookResponse;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The retry path on a real broker with a scaled-down schedule (200 ms / 1 s / 2 s, tiers 200 ms and 1 s, so the
 * 2 s delay hops through the 1 s tier) and local receivers that fail on purpose.
 */
@WithKafka
class RetryIT {
    private static final Duration WAIT = TestDispatcher.WAIT;
    private static final List<String> SCHEDULE = List.of("200ms", "1s", "2s");

    static TestKafka kafka;
    private static TestDispatcher dispatcher;
    private static HooklineTopics topics;

    @BeforeAll
    static void startDispatcher() {
        dispatcher = TestDispatcher.start(kafka, Map.of("payments", 2), "HOOKLINE_DELIVERY_PARTITIONS", "2",
                "HOOKLINE_RETRY_TIERS", "200ms,1s", "HOOKLINE_RETRY_SCHEDULE", "200ms,1s,2s",
                "HOOKLINE_BREAKER_FAILURES", "3", "HOOKLINE_BREAKER_OPEN_FOR", "1s");
        topics = dispatcher.topics;
    }

    @AfterAll
    static void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private static TestSubscription subscribe(String tenant, String url, List<String> schedule, Integer maxInFlight) {
        return dispatcher.subscribe(tenant, url, "payments", schedule, maxInFlight);
    }

    private static EventEnvelope publish(String tenant) {
        EventEnvelope event = topics.event("payments", tenant, "{\"amount\":42}");
        topics.publish(event);
        return event;
    }

    private static List<DeadLetter> deadLetters(String subscriptionId) {
        return topics.readCommitted(topics.names.dlq()).stream().filter(r -> subscriptionId.equals(r.key()))
                .map(r -> Json.read(r.value(), DeadLetter.class)).toList();
    }

    private static List<AttemptRecord> attempts(String subscriptionId) {
        return topics.readAttempts().stream().filter(a -> a.subscriptionId().equals(subscriptionId))
                .sorted(Comparator.comparingInt(AttemptRecord::attempt)).toList();
    }

    /** Attempt number → due time (epoch ms) of every retry written to a tier for the subscription, hops included. */
    private static Map<Integer, Long> dueTimes(String subscriptionId) {
        Map<Integer, Long> due = new HashMap<>();
        for (String topic : List.of(topics.names.retry(Duration.ofMillis(200)), topics.names.retry(Duration.ofSeconds(1)))) {
            for (ConsumerRecord<String, byte[]> r : topics.readCommitted(topic)) {
                if (subscriptionId.equals(r.key())) {
                    due.put(Json.read(r.value(), DeliveryTask.class).attempt(), RetryHeaders.dueAtMillis(r.headers()));
                }
            }
        }
        return due;
    }

    private static double transitions(String to) {
        return dispatcher.service.meterRegistry().get("hookline.breaker.transitions").tag("to", to).counter().count();
    }

    @Test
    void aTaskThatNeverSucceedsFollowsTheScheduleAndEndsInTheDeadLetterTopicWithAllItsAttempts() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respondWith(500);
            TestSubscription sub = subscribe("exhaust", receiver.url("/"), SCHEDULE, null);
            EventEnvelope event = publish("exhaust");

            DeadLetter letter = await("the dead letter").atMost(WAIT).until(() -> deadLetters(sub.id()),
                    found -> !found.isEmpty()).get(0);
            assertThat(letter.id()).startsWith("dlq_");
            assertThat(letter.reason()).isEqualTo(DeadLetter.EXHAUSTED);
            assertThat(letter.task().event().id()).isEqualTo(event.id());
            assertThat(letter.task().attempt()).isEqualTo(4);
            assertThat(letter.attempts()).extracting(DeadLetter.AttemptSummary::attempt).containsExactly(1, 2, 3, 4);
            assertThat(letter.attempts()).allSatisfy(a -> {
                assertThat(a.statusCode()).isEqualTo(500);
                assertThat(a.error()).isEqualTo("HTTP 500");
            });
            assertThat(receiver.requests()).extracting(r -> r.header("hookline-attempt"))
                    .containsExactly("1", "2", "3", "4");
            assertThat(receiver.requests()).extracting(r -> r.header("webhook-id")).containsOnly(event.id());

            List<AttemptRecord> attempts = await("four attempt records").atMost(WAIT)
                    .until(() -> attempts(sub.id()), found -> found.size() == 4);
            Map<Integer, Long> due = dueTimes(sub.id());
            assertThat(due).containsOnlyKeys(2, 3, 4);
            List<Duration> scheduled = List.of(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2));
            for (int n = 2; n <= 4; n++) {
                Instant started = attempts.get(n - 1).startedAt();
                Instant previous = attempts.get(n - 2).startedAt();
                assertThat(started.toEpochMilli()).as("attempt %d starts no earlier than due", n)
                        .isGreaterThanOrEqualTo(due.get(n));
                long minimumGap = scheduled.get(n - 2).toMillis() * 9 / 10;
                assertThat(Duration.between(previous, started).toMillis()).as("gap before attempt %d", n)
                        .isGreaterThanOrEqualTo(minimumGap);
            }

            String metrics = dispatcher.service.meterRegistry().scrape();
            assertThat(metrics).contains("hookline_retry_scheduled_total{", "tier=\"200ms\"", "tier=\"1s\"",
                    "hookline_dlq_writes_total{", "reason=\"exhausted\"", "hookline_retry_lateness_seconds_count");
        }
    }

    @Test
    void retriesStartNoEarlierThanDueAndWithinOneSecondAfterItAtP99() {
        // 40 subscriptions of their own tenants, one event each (so no breaker opens: threshold 3), fail twice and
        // then succeed; schedule 200 ms / 2 s, so the 2 s retries hop through the 1 s tier: 80 retries.
        int count = 40;
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, AtomicInteger> perSubscription = new ConcurrentHashMap<>();
            receiver.respondWith(request -> perSubscription.computeIfAbsent(request.header("hookline-subscription"),
                    id -> new AtomicInteger()).incrementAndGet() <= 2
                    ? WebhookResponse.status(500) : WebhookResponse.status(204));
            List<TestSubscription> subs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                subs.add(subscribe("lateness-" + i, receiver.url("/"), List.of("200ms", "2s"), null));
            }
            for (int i = 0; i < count; i++) {
                publish("lateness-" + i);
            }

            await("three attempts for every subscription").atMost(WAIT).until(() -> perSubscription.values().stream()
                    .filter(n -> n.get() >= 3).count() == count);
            // Read each topic once: a read per subscription would make this test slow.
            Map<String, Map<Integer, Instant>> started = await("three attempt records per subscription").atMost(WAIT)
                    .until(() -> {
                        Map<String, Map<Integer, Instant>> bySubscription = new HashMap<>();
                        for (AttemptRecord a : topics.readAttempts()) {
                            bySubscription.computeIfAbsent(a.subscriptionId(), id -> new HashMap<>())
                                    .put(a.attempt(), a.startedAt());
                        }
                        return bySubscription;
                    }, found -> subs.stream().allMatch(sub -> found.getOrDefault(sub.id(), Map.of()).size() == 3));
            Map<String, Map<Integer, Long>> due = new HashMap<>();
            for (String topic : List.of(topics.names.retry(Duration.ofMillis(200)),
                    topics.names.retry(Duration.ofSeconds(1)))) {
                for (ConsumerRecord<String, byte[]> r : topics.readCommitted(topic)) {
                    due.computeIfAbsent(r.key(), id -> new HashMap<>()).put(
                            Json.read(r.value(), DeliveryTask.class).attempt(), RetryHeaders.dueAtMillis(r.headers()));
                }
            }
            List<Long> latenessMs = new ArrayList<>();
            for (TestSubscription sub : subs) {
                for (int n = 2; n <= 3; n++) {
                    latenessMs.add(started.get(sub.id()).get(n).toEpochMilli() - due.get(sub.id()).get(n));
                }
            }
            latenessMs.sort(Comparator.naturalOrder());
            long p99 = latenessMs.get((int) Math.ceil(0.99 * latenessMs.size()) - 1);
            LoggerFactory.getLogger(RetryIT.class).info("retry lateness over {} retries: p50 {} ms, p99 {} ms, max {} ms",
                    latenessMs.size(), latenessMs.get(latenessMs.size() / 2), p99, latenessMs.get(latenessMs.size() - 1));
            assertThat(latenessMs).hasSize(2 * count);
            assertThat(latenessMs.get(0)).as("earliest retry, ms after due").isGreaterThanOrEqualTo(0);
            assertThat(p99).as("p99 of retry lateness in ms (all: %s)", latenessMs).isLessThanOrEqualTo(1000);
        }
    }

    @Test
    void goneDeadLettersTheTaskAndStopsDeliveringAtOnce() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respondWith(410);
            TestSubscription sub = subscribe("gone", receiver.url("/"), SCHEDULE, 1);
            EventEnvelope first = publish("gone");

            DeadLetter letter = await("the dead letter").atMost(WAIT).until(() -> deadLetters(sub.id()),
                    found -> !found.isEmpty()).get(0);
            assertThat(letter.reason()).isEqualTo(DeadLetter.GONE);
            assertThat(letter.task().event().id()).isEqualTo(first.id());
            assertThat(letter.attempts()).singleElement().satisfies(a -> assertThat(a.statusCode()).isEqualTo(410));

            // What the registrar disables the subscription from (it is not running here).
            assertThat(attempts(sub.id())).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo("gone"));

            // The registrar has not disabled it (there is none here): the dispatcher stops on its own.
            for (int i = 0; i < 3; i++) {
                publish("gone");
            }
            topics.awaitFannedOut(WAIT, "payments");
            topics.awaitDeliveriesFinal(WAIT);
            assertThat(dispatcher.service.index().get(sub.id()).orElseThrow().isActive()).isTrue();
            assertThat(receiver.requests()).hasSize(1);
            assertThat(deadLetters(sub.id())).hasSize(1);
        }
    }

    @Test
    void retryAfterIsHonoured() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            AtomicInteger calls = new AtomicInteger();
            receiver.respondWith(request -> calls.incrementAndGet() == 1
                    ? WebhookResponse.status(429).withHeader("Retry-After", "1") : WebhookResponse.status(204));
            // Without Retry-After the retry would come after 200 ms ± 10 %.
            TestSubscription sub = subscribe("busy", receiver.url("/"), List.of("200ms", "5s"), null);
            publish("busy");

            List<AttemptRecord> attempts = await("two attempts").atMost(WAIT).until(() -> attempts(sub.id()),
                    found -> found.size() == 2);
            assertThat(attempts.get(0).retryAfterMs()).isEqualTo(1000);
            assertThat(attempts.get(1).isSuccess()).isTrue();
            assertThat(Duration.between(attempts.get(0).startedAt(), attempts.get(1).startedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(dueTimes(sub.id()).get(2)).isGreaterThanOrEqualTo(
                    attempts.get(0).startedAt().toEpochMilli() + 1000);
        }
    }

    @Test
    void anOpenCircuitBreakerHoldsTasksBackWithoutUsingAttemptsProbesOnceAndClosesOnSuccess() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            AtomicInteger calls = new AtomicInteger();
            // Three failures open the breaker (threshold 3); the first probe fails too; then the endpoint recovers.
            receiver.respondWith(request -> calls.incrementAndGet() <= 4
                    ? WebhookResponse.status(500) : WebhookResponse.status(204));
            TestSubscription sub = subscribe("breaker", receiver.url("/"), List.of("1s", "1s", "1s", "1s", "1s"), 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(publish("breaker").id());
            }

            await("all ten delivered").atMost(WAIT).until(() -> receiver.requests().stream().skip(4)
                    .map(r -> r.header("webhook-id")).collect(java.util.stream.Collectors.toSet()).containsAll(ids));
            List<io.hookline.testkit.RecordedRequest> requests = receiver.requests();
            // Open for 1 s after the third failure: the probe is no earlier; and one more second after it failed.
            assertThat(Duration.between(requests.get(2).receivedAt(), requests.get(3).receivedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(Duration.between(requests.get(3).receivedAt(), requests.get(4).receivedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            // Held-back tasks used up no attempt: every event's attempts are 1, 2, ... without gaps.
            Map<String, List<Integer>> attemptsPerEvent = new HashMap<>();
            for (var request : requests) {
                attemptsPerEvent.computeIfAbsent(request.header("webhook-id"), id -> new ArrayList<>())
                        .add(Integer.parseInt(request.header("hookline-attempt")));
            }
            assertThat(attemptsPerEvent.values()).allSatisfy(seen -> assertThat(seen)
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, seen.size()).boxed().toList()));
            assertThat(requests).hasSizeLessThanOrEqualTo(4 + ids.size());
            assertThat(deadLetters(sub.id())).isEmpty();
            // Opened, half-open for the failing probe, open again, half-open, closed (other tests may add more).
            assertThat(transitions("open")).isGreaterThanOrEqualTo(2);
            assertThat(transitions("half_open")).isGreaterThanOrEqualTo(2);
            assertThat(transitions("closed")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void anOrderedSubscriptionRetriesItsHeadInPlaceAndKeepsTheOrder() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, AtomicInteger> perEvent = new ConcurrentHashMap<>();
            // Every event fails once, then succeeds.
            receiver.respondWith(request -> perEvent.computeIfAbsent(request.header("webhook-id"),
                    id -> new AtomicInteger()).incrementAndGet() == 1
                    ? WebhookResponse.status(503) : WebhookResponse.status(204));
            TestSubscription sub = topics.subscription("ordered-retry", receiver.url("/"), List.of("payments"),
                    r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, 10,
                            5_000, SCHEDULE, null, "ordered", null, SubscriptionRecord.ACTIVE, 1, r.secrets(),
                            r.createdAt(), r.updatedAt()));
            topics.put(sub.record());
            await("subscription indexed").atMost(WAIT).until(() -> dispatcher.service.index().get(sub.id()).isPresent());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                EventEnvelope plain = topics.event("payments", "ordered-retry", "{\"seq\":" + i + "}");
                EventEnvelope keyed = new EventEnvelope(plain.id(), plain.topic(), plain.tenant(), "customer-7", null,
                        plain.occurredAt(), plain.receivedAt(), plain.payload());
                topics.publish(keyed);
                ids.add(keyed.id());
            }
            receiver.awaitRequests(10, WAIT);
            List<String> seen = receiver.requests().stream().map(r -> r.header("webhook-id")).toList();
            List<String> expected = new ArrayList<>();
            ids.forEach(id -> {
                expected.add(id);
                expected.add(id);
            });
            assertThat(seen).containsExactlyElementsOf(expected);
        }
    }
}
