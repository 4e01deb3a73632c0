package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two delivery instances share the deliveries partitions; one (a separate JVM) is SIGKILLed mid-backlog. The
 * survivor takes over its partitions from the committed watermarks: every task is delivered, and the only
 * duplicates are tasks at or above the watermark the killed instance had committed (in flight, or finished
 * after its last commit).
 */
@WithKafka
class DeliveryCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryCrashIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int SUBSCRIPTIONS = 8;
    private static final int EVENTS = 250;
    private static final int PARTITIONS = 4;

    static TestKafka kafka;

    @Test
    void aKilledInstanceLosesNothingAndDuplicatesOnlyWhatItHadNotCommitted() throws Exception {
        try (HooklineTopics topics = new HooklineTopics(kafka); WebhookReceiver receiver = WebhookReceiver.start();
             Admin admin = kafka.newAdmin()) {
            topics.createSystemTopics(PARTITIONS);
            // Two subscriptions per deliveries partition (keyed by id, default partitioner), so whichever
            // partitions the victim gets, it has work on them.
            List<TestSubscription> subscriptions = new ArrayList<>();
            int[] perPartition = new int[PARTITIONS];
            while (subscriptions.size() < 2 * PARTITIONS) {
                // 8 x 40/s = 320 requests/s: the 2000-task backlog takes seconds, so the kill lands mid-way.
                TestSubscription sub = topics.subscription("dcrash", receiver.url("/s" + subscriptions.size()),
                        List.of("*"), r -> HooklineTopics.with(r, "active", 40.0, 5, 10_000, null, null));
                int partition = HooklineTopics.deliveryPartition(sub.id(), PARTITIONS);
                if (perPartition[partition] < 2) {
                    perPartition[partition]++;
                    topics.put(sub.record());
                    subscriptions.add(sub);
                }
            }
            Map<String, String> env = topics.env("HOOKLINE_DISPATCHER_STAGES", "delivery",
                    "HOOKLINE_KAFKA_SESSION_TIMEOUT_MS", "6000");

            try (DispatcherService survivor = DispatcherService.start(DispatcherConfig.from(env));
                 ChildDispatcher victim = ChildDispatcher.start(ChildDispatcher.withClientId(env, "victim"),
                         "delivery-crash-child")) {
                await("the victim to own partitions").atMost(WAIT).until(() -> victimPartitions(admin, topics).size()
                        == PARTITIONS / 2);
                Set<TopicPartition> victims = victimPartitions(admin, topics);

                List<DeliveryTask> tasks = new ArrayList<>();
                for (int e = 0; e < EVENTS; e++) {
                    EventEnvelope event = topics.event("anything", "dcrash", "{\"e\":" + e + "}");
                    for (TestSubscription sub : subscriptions) {
                        tasks.add(DeliveryTask.first(event, sub.id(), Instant.now(), 0, e));
                    }
                }
                List<RecordMetadata> written = topics.writeTasks(tasks);
                Map<String, TopicPartition> partitionOf = new HashMap<>();
                Map<String, Long> offsetOf = new HashMap<>();
                for (int i = 0; i < tasks.size(); i++) {
                    String pair = tasks.get(i).event().id() + "/" + tasks.get(i).subscriptionId();
                    partitionOf.put(pair, new TopicPartition(written.get(i).topic(), written.get(i).partition()));
                    offsetOf.put(pair, written.get(i).offset());
                }

                await("the victim to deliver and commit some").atMost(WAIT).until(() -> committed(admin, topics)
                        .entrySet().stream().anyMatch(e -> victims.contains(e.getKey()) && e.getValue().offset() > 0));
                victim.kill();
                // The victim's partitions move to the survivor only after its session expires: what is committed
                // now is the victim's last watermark there.
                Map<TopicPartition, OffsetAndMetadata> committedAtKill = committed(admin, topics);
                int atKill = receiver.requests().size();
                assertThat(atKill).as("killed mid-backlog").isLessThan(tasks.size());
                LOG.info("killed the delivery child after {} of {} requests", atKill, tasks.size());

                topics.awaitDeliveriesFinal(WAIT);
                assertThat(survivor.isRunning()).isTrue();
                Map<String, Long> perPair = receiver.requests().stream().collect(Collectors.groupingBy(
                        DeliveryCrashIT::pairOf, Collectors.counting()));
                assertThat(perPair.keySet()).as("every task delivered").isEqualTo(offsetOf.keySet());
                List<String> duplicated = perPair.entrySet().stream().filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey).toList();
                LOG.info("{} tasks delivered, {} of them twice", perPair.size(), duplicated.size());
                assertThat(duplicated).allSatisfy(pair -> {
                    OffsetAndMetadata committed = committedAtKill.get(partitionOf.get(pair));
                    assertThat(offsetOf.get(pair)).as("offset of duplicated %s", pair)
                            .isGreaterThanOrEqualTo(committed == null ? 0 : committed.offset());
                });
                assertThat(perPair.values()).allMatch(count -> count <= 2);
            }
        }
    }

    private static String pairOf(RecordedRequest request) {
        return request.header("webhook-id") + "/" + request.header("hookline-subscription");
    }

    /** The partitions the victim's consumer owns, once the group is stable with both members. */
    private static Set<TopicPartition> victimPartitions(Admin admin, HooklineTopics topics) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(topics.names.deliveryGroupId())).all()
                .get(10, TimeUnit.SECONDS).get(topics.names.deliveryGroupId());
        if (group.members().size() != 2 || group.groupState() != GroupState.STABLE) {
            return Set.of();
        }
        return group.members().stream().filter(m -> m.clientId().equals("victim-delivery"))
                .flatMap(m -> m.assignment().topicPartitions().stream()).collect(Collectors.toSet());
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, HooklineTopics topics)
            throws Exception {
        return admin.listConsumerGroupOffsets(topics.names.deliveryGroupId()).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
    }
}
