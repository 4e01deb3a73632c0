package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WebhookResponse;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful scale-down under load (issue 9): three delivery instances, each its own JVM started from the service
 * jar, share the deliveries partitions while tasks keep arriving at a steady rate for an endpoint that takes a
 * while to answer. Two of them get SIGTERM, one after the other, as Kubernetes does when KEDA scales 3 → 1. Each
 * stopping instance must stop taking work, let its requests in flight finish, commit and leave the group within its
 * grace period and exit 0; the survivor must end up owning every partition and deliver everything: every
 * (event, subscription) pair arrives, and a pair arrives twice only if its request was still in flight when a
 * stopping instance's drain deadline passed (which it reports).
 */
@WithKafka
class ScaleDownIT {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleDownIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 6;
    private static final int SUBSCRIPTIONS_PER_PARTITION = 2;
    /** Each request takes this long to answer, so every SIGTERM lands with requests in flight. */
    private static final Duration ENDPOINT_LATENCY = Duration.ofMillis(80);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The grace period the test gives a stopping instance, built as deploy/k8s builds terminationGracePeriodSeconds:
     * the in-flight drain (HOOKLINE_DELIVERY_SHUTDOWN_TIMEOUT) plus the final commit, leaving the group and closing
     * the producers, with room for a loaded 2-core machine.
     */
    private static final Duration GRACE_PERIOD = SHUTDOWN_TIMEOUT.plusSeconds(20);
    private static final Pattern ABANDONED = Pattern.compile("(\\d+) requests still in flight will be redelivered");

    static TestKafka kafka;

    @Test
    void scalingThreeInstancesDownToOneUnderLoadLosesNothing() throws Exception {
        try (HooklineTopics topics = new HooklineTopics(kafka); WebhookReceiver receiver = WebhookReceiver.start();
             Admin admin = kafka.newAdmin()) {
            topics.createSystemTopics(PARTITIONS);
            receiver.respondWith(request -> {
                LockSupport.parkNanos(ENDPOINT_LATENCY.toNanos()); // a real endpoint's think time
                return WebhookResponse.status(204);
            });
            List<TestSubscription> subscriptions = subscriptionsOnEveryPartition(topics, receiver);
            Map<String, String> env = topics.env("HOOKLINE_DISPATCHER_STAGES", "delivery",
                    "HOOKLINE_DELIVERY_SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT.toSeconds() + "s",
                    "HOOKLINE_KAFKA_SESSION_TIMEOUT_MS", "10000");

            List<ChildDispatcher> group = new ArrayList<>();
            ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
            try {
                for (String name : List.of("d1", "d2", "d3")) {
                    group.add(ChildDispatcher.start(ChildDispatcher.withClientId(env, name), "scale-down-" + name));
                }
                await("three instances sharing the partitions").atMost(WAIT).ignoreExceptions()
                        .until(() -> owners(admin, topics).values().stream().filter(p -> !p.isEmpty()).count() == 3);

                // Steady load in bursts: 10 events for every subscription each 500 ms (240 tasks/s), until told to
                // stop. A burst takes the slow subscription of a partition 400 ms and the fast one 80 ms, so most of
                // the time a partition has tasks queued below tasks already delivered, as under real mixed load.
                Map<String, String> written = new ConcurrentHashMap<>(); // pair -> partition@offset
                AtomicInteger events = new AtomicInteger();
                AtomicReference<RuntimeException> loadFailure = new AtomicReference<>();
                load.scheduleAtFixedRate(() -> {
                    if (loadFailure.get() != null) {
                        return;
                    }
                    List<DeliveryTask> tasks = new ArrayList<>();
                    for (int e = 0; e < 10; e++) {
                        EventEnvelope event = topics.event("scale.load", "scale", "{\"n\":" + events.get() + "}");
                        subscriptions.forEach(s -> tasks.add(DeliveryTask.first(event, s.id(), Instant.now(), 0,
                                events.get())));
                        events.incrementAndGet();
                    }
                    List<RecordMetadata> acks;
                    try {
                        acks = topics.writeTasks(tasks); // returns once the broker has them all
                    } catch (RuntimeException e) {
                        loadFailure.set(e);
                        return;
                    }
                    for (int i = 0; i < tasks.size(); i++) {
                        String pair = pair(tasks.get(i).event().id(), tasks.get(i).subscriptionId());
                        written.put(pair, acks.get(i).partition() + "@" + acks.get(i).offset());
                    }
                }, 0, 500, TimeUnit.MILLISECONDS);

                int abandoned = 0;
                for (int stop = 0; stop < 2; stop++) {
                    int before = receiver.requests().size();
                    await("deliveries flowing before stopping d" + (stop + 1)).atMost(WAIT)
                            .until(() -> receiver.requests().size() >= before + 300);
                    await("requests in flight at the signal").atMost(WAIT).pollInterval(Duration.ofMillis(5))
                            .until(() -> receiver.inFlight() > 0);
                    ChildDispatcher stopping = group.get(stop);
                    ChildDispatcher.Exit exit = stopping.terminate(GRACE_PERIOD);
                    String output = stopping.output();
                    LOG.info("d{} exited {} after {} ms ({} events written, {} requests so far)", stop + 1,
                            exit.code(), exit.took().toMillis(), events.get(), receiver.requests().size());
                    assertThat(exit.code()).as("exit code of d%d after SIGTERM (output:%n%s)", stop + 1, output)
                            .isZero();
                    assertThat(output).as("d%d handed its partitions over on shutdown", stop + 1)
                            .contains("on shutdown: committed up to");
                    abandoned += abandonedRequests(output);
                    int remaining = 2 - stop;
                    await("the partitions of d" + (stop + 1) + " taken over").atMost(WAIT).ignoreExceptions()
                            .until(() -> {
                        Map<String, Set<TopicPartition>> owners = owners(admin, topics);
                        return owners.size() == remaining && owners.values().stream().mapToInt(Set::size).sum()
                                == PARTITIONS;
                    });
                }
                Map<String, Set<TopicPartition>> last = owners(admin, topics);
                assertThat(last).as("the survivor owns every partition").containsOnlyKeys("d3-delivery");
                assertThat(last.get("d3-delivery")).hasSize(PARTITIONS);

                int before = receiver.requests().size();
                await("the survivor delivering new work alone").atMost(WAIT)
                        .until(() -> receiver.requests().size() >= before + 300);
                load.shutdown();
                assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(loadFailure.get()).as("writing the load").isNull();

                topics.awaitDeliveriesFinal(WAIT);
                Map<String, Long> perPair = receiver.requests().stream().collect(Collectors.groupingBy(
                        ScaleDownIT::pairOf, Collectors.counting()));
                long duplicates = perPair.values().stream().mapToLong(n -> n - 1).sum();
                List<String> duplicated = receiver.requests().stream()
                        .filter(r -> perPair.get(pairOf(r)) > 1)
                        .map(r -> written.get(pairOf(r)) + " attempt " + r.header("hookline-attempt") + " at "
                                + r.receivedAt()).sorted().toList();
                LOG.info("{} events, {} tasks written, {} requests, {} duplicates, {} abandoned at a drain deadline",
                        events.get(), written.size(), receiver.requests().size(), duplicates, abandoned);
                assertThat(written).as("written under load").hasSizeGreaterThan(1000);
                assertThat(perPair.keySet()).as("every (event, subscription) pair delivered, nothing else")
                        .isEqualTo(written.keySet());
                assertThat(duplicates).as("duplicates: at most the requests abandoned at a drain deadline; "
                                + "requests of duplicated tasks (partition@offset): %s", duplicated)
                        .isLessThanOrEqualTo(abandoned);
                ChildDispatcher.Exit last3 = group.get(2).terminate(GRACE_PERIOD);
                assertThat(last3.code()).as("exit code of the survivor").isZero();
            } finally {
                load.shutdownNow();
                group.forEach(ChildDispatcher::close);
            }
        }
    }

    /**
     * Subscriptions keyed onto every deliveries partition (default partitioner), so every instance has work: on each
     * partition a fast one (10 requests at once) and a slow one (2 at once).
     */
    private static List<TestSubscription> subscriptionsOnEveryPartition(HooklineTopics topics,
                                                                        WebhookReceiver receiver) {
        List<TestSubscription> subscriptions = new ArrayList<>();
        int[] perPartition = new int[PARTITIONS];
        while (subscriptions.size() < SUBSCRIPTIONS_PER_PARTITION * PARTITIONS) {
            TestSubscription sub = topics.subscription("scale", receiver.url("/s" + subscriptions.size()),
                    List.of("*"), r -> r);
            int partition = HooklineTopics.deliveryPartition(sub.id(), PARTITIONS);
            if (perPartition[partition] < SUBSCRIPTIONS_PER_PARTITION) {
                int maxInFlight = perPartition[partition]++ == 0 ? 10 : 2;
                sub = new TestSubscription(HooklineTopics.with(sub.record(), "active", null, maxInFlight, 10_000,
                        null, null), sub.secret());
                topics.put(sub.record());
                subscriptions.add(sub);
            }
        }
        return subscriptions;
    }

    /** The deliveries partitions each member owns by client id, once the group is stable (else empty). */
    private static Map<String, Set<TopicPartition>> owners(Admin admin, HooklineTopics topics) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(topics.names.deliveryGroupId())).all()
                .get(10, TimeUnit.SECONDS).get(topics.names.deliveryGroupId());
        if (group.groupState() != GroupState.STABLE) {
            return Map.of();
        }
        Map<String, Set<TopicPartition>> owners = new HashMap<>();
        for (MemberDescription member : group.members()) {
            owners.computeIfAbsent(member.clientId(), c -> new java.util.HashSet<>())
                    .addAll(member.assignment().topicPartitions());
        }
        return owners;
    }

    /** The requests a stopping instance reported as still in flight when its drain deadline passed. */
    private static int abandonedRequests(String output) {
        int sum = 0;
        Matcher m = ABANDONED.matcher(output);
        while (m.find()) {
            sum += Integer.parseInt(m.group(1));
        }
        return sum;
    }

    private static String pair(String eventId, String subscriptionId) {
        return eventId + "/" + subscriptionId;
    }

    private static String pairOf(RecordedRequest request) {
        return pair(request.header("webhook-id"), request.header("hookline-subscription"));
    }
}
