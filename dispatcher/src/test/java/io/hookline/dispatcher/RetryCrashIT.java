package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.dispatcher.retry.RetryTierConsumer;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.ServiceProcess;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatcher (a separate JVM) is SIGKILLed while every task waits in a delay topic for its second attempt; a
 * fresh dispatcher in the same groups takes over from the committed offsets and makes every second attempt.
 */
@WithKafka
class RetryCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(RetryCrashIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int SUBSCRIPTIONS = 3;
    private static final int EVENTS = 20;

    static TestKafka kafka;

    @Test
    void killingTheDispatcherWhileTasksWaitInDelayTopicsLosesNone() throws Exception {
        try (HooklineTopics topics = new HooklineTopics(kafka); WebhookReceiver receiver = WebhookReceiver.start();
             Admin admin = kafka.newAdmin()) {
            topics.createSystemTopics(2);
            Map<String, AtomicInteger> perPair = new ConcurrentHashMap<>();
            // The first attempt of every task fails; any later one succeeds.
            receiver.respondWith(request -> perPair.computeIfAbsent(pairOf(request), p -> new AtomicInteger())
                    .incrementAndGet() == 1 ? WebhookResponse.status(500) : WebhookResponse.status(204));
            List<TestSubscription> subscriptions = new ArrayList<>();
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                TestSubscription sub = topics.subscription("rcrash", receiver.url("/s" + i), List.of("*"),
                        r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, null,
                                5_000, List.of("8s"), null, null, null, SubscriptionRecord.ACTIVE, 1, r.secrets(),
                                r.createdAt(), r.updatedAt()));
                topics.put(sub.record());
                subscriptions.add(sub);
            }
            Map<String, String> env = topics.env("HOOKLINE_DISPATCHER_STAGES", "delivery",
                    "HOOKLINE_KAFKA_SESSION_TIMEOUT_MS", "6000", "HOOKLINE_DELIVERY_PARTITIONS", "2",
                    "HOOKLINE_RETRY_TIERS", "1s,5s",
                    // Every first attempt fails on purpose: no circuit breaker, or it would hold the tasks back.
                    "HOOKLINE_BREAKER_FAILURES", "0");

            Set<String> pairs;
            try (ServiceProcess victim = ChildDispatcher.start(env, "retry-crash-child")) {
                List<DeliveryTask> tasks = new ArrayList<>();
                for (int e = 0; e < EVENTS; e++) {
                    EventEnvelope event = topics.event("anything", "rcrash", "{\"e\":" + e + "}");
                    for (TestSubscription sub : subscriptions) {
                        tasks.add(DeliveryTask.first(event, sub.id(), Instant.now(), 0, e));
                    }
                }
                pairs = tasks.stream().map(t -> t.event().id() + "/" + t.subscriptionId()).collect(Collectors.toSet());
                // Write once the child consumes both stages' topics (and their partitions are all led).
                await("the child to own every partition").atMost(WAIT).ignoreExceptions().until(() ->
                        owns(admin, topics.names.deliveryGroupId(), 2)
                                && owns(admin, RetryTierConsumer.groupId(topics.names), 4));
                topics.writeTasks(tasks);

                await("every task scheduled on a delay topic").atMost(WAIT).ignoreExceptions().until(() -> retriesWaiting(topics),
                        waiting -> waiting.containsAll(pairs));
                victim.kill();
            }
            long secondAttemptsAtKill = receiver.requests().stream()
                    .filter(r -> "2".equals(r.header("hookline-attempt"))).count();
            LOG.info("killed the dispatcher child with {} of {} retries made", secondAttemptsAtKill, pairs.size());
            assertThat(secondAttemptsAtKill).as("killed while the retries wait").isLessThan(pairs.size());

            try (DispatcherService survivor = DispatcherService.start(DispatcherConfig.from(env))) {
                await("every retry made after the crash").atMost(WAIT).until(() -> receiver.requests().stream()
                        .filter(r -> "2".equals(r.header("hookline-attempt"))).map(RetryCrashIT::pairOf)
                        .collect(Collectors.toSet()), made -> made.containsAll(pairs));
                assertThat(survivor.isRunning()).isTrue();
            }
        }
    }

    /** Event/subscription pairs whose second attempt is written to a delay tier. */
    private static Set<String> retriesWaiting(HooklineTopics topics) {
        Set<String> out = new java.util.HashSet<>();
        for (Duration tier : List.of(Duration.ofSeconds(1), Duration.ofSeconds(5))) {
            topics.readCommitted(topics.names.retry(tier)).forEach(r -> {
                DeliveryTask task = Json.read(r.value(), DeliveryTask.class);
                out.add(task.event().id() + "/" + task.subscriptionId());
            });
        }
        return out;
    }

    /** True when the group is stable and its members own {@code partitions} partitions in all. */
    private static boolean owns(Admin admin, String group, int partitions) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                .get(10, TimeUnit.SECONDS).get(group);
        return description.groupState() == GroupState.STABLE && description.members().stream()
                .mapToInt(m -> m.assignment().topicPartitions().size()).sum() == partitions;
    }

    private static String pairOf(RecordedRequest request) {
        return request.header("webhook-id") + "/" + request.header("hookline-subscription");
    }
}
