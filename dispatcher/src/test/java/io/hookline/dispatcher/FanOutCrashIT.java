package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.ServiceProcess;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once fan-out across a real crash: the fan-out stage runs in a separate JVM (the shaded service jar) that
 * is killed with SIGKILL halfway through a backlog, with a transaction open; more events arrive; a new instance
 * (with its own, empty state directory, so its idempotency store is restored from the changelog) takes over. Counting
 * by event id × subscription id, every event reaches every matching subscription exactly once.
 */
@WithKafka
class FanOutCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutCrashIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    static TestKafka kafka;

    @Test
    void aKilledFanOutInstanceLeavesNoDuplicateAndNoMissingTask() throws Exception {
        try (HooklineTopics topics = new HooklineTopics(kafka)) {
            topics.createSystemTopics(6);
            topics.createEventsTopic("crash.events", 3);
            List<TestSubscription> matching = List.of(
                    topics.subscription("crash", "https://example.com/a", "crash.*"),
                    topics.subscription("crash", "https://example.com/b", "*"),
                    topics.subscription("crash", "https://example.com/c", "crash.events", "crash.*"));
            TestSubscription notMatching = topics.subscription("crash", "https://example.com/d", "other.*");
            matching.forEach(s -> topics.put(s.record()));
            topics.put(notMatching.record());

            // Phase 1: a backlog the child is still working through when it is killed.
            List<EventEnvelope> beforeCrash = events(topics, 0, 3000);
            topics.publishAll(beforeCrash);

            Map<String, String> env = topics.env("HOOKLINE_DISPATCHER_STAGES", "fanout",
                    // The killed member must leave the group quickly for the test to stay short.
                    "HOOKLINE_KAFKA_SESSION_TIMEOUT_MS", "6000",
                    // Long transactions: a kill almost never lands in the few milliseconds of a commit.
                    "HOOKLINE_FANOUT_COMMIT_INTERVAL", "500ms");
            long atKill;
            try (Admin admin = kafka.newAdmin()) {
                atKill = killMidTransaction(admin, topics, env);
            }
            LOG.info("killed the fan-out child with a transaction open after {} of {} events were committed", atKill,
                    beforeCrash.size());
            assertThat(atKill).as("killed mid-run").isLessThan(beforeCrash.size());

            // Phase 2: new events and republished copies of early ones (a producer retrying with the same
            // Idempotency-Key) arrive while no instance runs; then a successor takes over.
            List<EventEnvelope> afterCrash = events(topics, 3000, 1000);
            topics.publishAll(afterCrash);
            topics.publishAll(beforeCrash.subList(0, 200));
            Set<String> published = new HashSet<>();
            beforeCrash.forEach(e -> published.add(e.id()));
            afterCrash.forEach(e -> published.add(e.id()));

            try (DispatcherService successor = DispatcherService.start(DispatcherConfig.from(env))) {
                assertThat(successor.index().activeCount()).isEqualTo(4);
                topics.awaitFannedOut(WAIT, "crash.events");
                int expected = published.size() * matching.size();
                List<DeliveryTask> tasks = await("every task committed").atMost(WAIT).until(
                        () -> topics.readTasks().stream().filter(t -> t.event().tenant().equals("crash")).toList(),
                        found -> found.size() >= expected);

                Map<String, Long> perPair = tasks.stream().collect(Collectors.groupingBy(
                        t -> t.event().id() + "/" + t.subscriptionId(), Collectors.counting()));
                assertThat(perPair.values()).as("tasks per event x subscription").containsOnly(1L);
                assertThat(tasks).hasSize(expected);
                Set<String> subscriptionIds = matching.stream().map(TestSubscription::id).collect(Collectors.toSet());
                Map<String, Set<String>> byEvent = tasks.stream().collect(Collectors.groupingBy(
                        t -> t.event().id(), Collectors.mapping(DeliveryTask::subscriptionId, Collectors.toSet())));
                assertThat(byEvent.keySet()).isEqualTo(published);
                assertThat(byEvent.values()).allSatisfy(subs -> assertThat(subs).isEqualTo(subscriptionIds));
                // Records of transactions the kill left open were aborted: readable only without read_committed.
                long aborted = topics.read(topics.names.deliveries(), "read_uncommitted").size()
                        - topics.readCommitted(topics.names.deliveries()).size();
                LOG.info("{} events x {} subscriptions = {} tasks, each exactly once; {} task records were aborted",
                        published.size(), matching.size(), expected, aborted);
                assertThat(aborted).as("task records of the transaction the kill left open").isPositive();
            }
        }
    }

    private static List<EventEnvelope> events(HooklineTopics topics, int from, int count) {
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            // Every event carries an idempotency key, so the dedupe store is in every transaction too.
            events.add(topics.event(EventIds.newEventId(), "crash.events", "crash",
                    "key-" + i, "{\"i\":" + i + "}"));
        }
        return events;
    }

    /**
     * Starts a fan-out child and SIGKILLs it while a transaction with task records already on the broker is open
     * (high watermark above the last stable offset). The kill can land between two transactions; then the child is
     * started again (resuming from its last commit) and killed again, so the test always crashes mid-transaction.
     */
    private static long killMidTransaction(Admin admin, HooklineTopics topics, Map<String, String> env)
            throws Exception {
        for (int round = 1; round <= 3; round++) {
            long committedBefore = committedEvents(admin, topics);
            ServiceProcess child = ChildDispatcher.start(env, "fanout-crash-child-" + round);
            try {
                await("the child to commit part of the backlog").atMost(WAIT).pollInterval(Duration.ofMillis(10))
                        .until(() -> committedEvents(admin, topics) >= committedBefore + 300
                                && openTaskRecords(admin, topics) > 0);
            } finally {
                child.kill(); // SIGKILL: no close, no commit
            }
            if (openTaskRecords(admin, topics) > 0) {
                return committedEvents(admin, topics);
            }
            LOG.info("round {}: the kill landed between two transactions, crashing again", round);
        }
        throw new AssertionError("could not kill the child inside a transaction in 3 rounds");
    }

    /** Task records written by transactions not yet committed or aborted. */
    private static long openTaskRecords(Admin admin, HooklineTopics topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topics.names.deliveries())).allTopicNames().get()
                .get(topics.names.deliveries()).partitions()) {
            latest.put(new TopicPartition(topics.names.deliveries(), p.partition()), OffsetSpec.latest());
        }
        long highWatermarks = sum(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .all().get());
        long stable = sum(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all().get());
        return highWatermarks - stable;
    }

    private static long sum(Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets) {
        return offsets.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    private static long committedEvents(Admin admin, HooklineTopics topics) throws Exception {
        Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(topics.names.fanOutApplicationId())
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
}
