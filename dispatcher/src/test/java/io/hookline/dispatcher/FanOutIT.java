package io.hookline.dispatcher;

import static io.hookline.dispatcher.TestDispatcher.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fan-out stage alone on a real broker: events put on events topics as the gateway writes them, subscriptions
 * put on the subscriptions topic as the registrar writes them, tasks counted on {@code hookline.deliveries}
 * (read_committed, as the delivery stage reads). Every test uses its own tenant, so tests sharing the dispatcher
 * cannot match each other's events.
 */
@WithKafka
class FanOutIT {
    static TestKafka kafka;
    private static TestDispatcher dispatcher;
    private static HooklineTopics topics;

    @BeforeAll
    static void startDispatcher() {
        dispatcher = TestDispatcher.start(kafka, Map.of("orders.created", 3, "orders.eu.shipped", 2,
                "invoices.paid", 1), "HOOKLINE_DISPATCHER_STAGES", "fanout");
        topics = dispatcher.topics;
    }

    @AfterAll
    static void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private static TestSubscription subscribe(String tenant, String... patterns) {
        return subscribe(topics.subscription(tenant, "https://example.com/" + tenant, patterns).record());
    }

    private static TestSubscription subscribe(SubscriptionRecord record) {
        dispatcher.subscribe(record);
        return new TestSubscription(record, null);
    }

    private static Set<String> pairs(List<DeliveryTask> tasks, Set<String> eventIds) {
        return tasks.stream().filter(t -> eventIds.contains(t.event().id()))
                .map(t -> t.event().id() + "/" + t.subscriptionId()).collect(Collectors.toSet());
    }

    private static List<DeliveryTask> tasksFor(Set<String> eventIds) {
        return topics.readTasks().stream().filter(t -> eventIds.contains(t.event().id())).toList();
    }

    @Test
    void nEventsTimesMSubscriptionsGiveExactlyOneTaskPerMatchingPair() {
        String tenant = "nxm";
        TestSubscription all = subscribe(tenant, "*");
        TestSubscription orders = subscribe(tenant, "orders.*");
        TestSubscription created = subscribe(tenant, "orders.created");
        TestSubscription overlap = subscribe(tenant, "orders.*", "orders.created", "invoices.paid");
        TestSubscription invoices = subscribe(tenant, "invoices.*");
        TestSubscription disabled = subscribe(HooklineTopics.withStatus(
                topics.subscription(tenant, "https://example.com/disabled", "*").record(), SubscriptionRecord.DISABLED));
        TestSubscription otherTenant = subscribe("nxm-globex", "*");
        // What each topic must reach, written out by hand rather than computed with the code under test.
        Map<String, List<TestSubscription>> expected = Map.of(
                "orders.created", List.of(all, orders, created, overlap),
                "orders.eu.shipped", List.of(all, orders, overlap),
                "invoices.paid", List.of(all, overlap, invoices));

        List<EventEnvelope> events = new ArrayList<>();
        Set<String> expectedPairs = new HashSet<>();
        int[] counts = {10, 7, 5};
        String[] names = {"orders.created", "orders.eu.shipped", "invoices.paid"};
        for (int t = 0; t < names.length; t++) {
            for (int i = 0; i < counts[t]; i++) {
                EventEnvelope event = topics.event(names[t], tenant, "{\"n\":" + i + "}");
                events.add(event);
                expected.get(names[t]).forEach(s -> expectedPairs.add(event.id() + "/" + s.id()));
            }
        }
        for (int i = 0; i < 3; i++) {
            EventEnvelope event = topics.event("orders.created", "nxm-globex", "{\"other\":" + i + "}");
            events.add(event);
            expectedPairs.add(event.id() + "/" + otherTenant.id());
        }
        events.forEach(topics::publish);
        assertThat(expectedPairs).hasSize(10 * 4 + 7 * 3 + 5 * 3 + 3);

        Set<String> ids = events.stream().map(EventEnvelope::id).collect(Collectors.toSet());
        topics.awaitFannedOut(WAIT, names);
        List<DeliveryTask> tasks = await("all tasks committed").atMost(WAIT).until(() -> tasksFor(ids),
                found -> found.size() >= expectedPairs.size());

        assertThat(pairs(tasks, ids)).isEqualTo(expectedPairs);
        assertThat(tasks).hasSize(expectedPairs.size()); // no pair twice
        assertThat(tasks).noneMatch(t -> t.subscriptionId().equals(disabled.id()));
        Map<String, EventEnvelope> byId = events.stream().collect(Collectors.toMap(EventEnvelope::id, e -> e));
        for (DeliveryTask task : tasks) {
            assertThat(task.attempt()).isEqualTo(1);
            assertThat(task.v()).isEqualTo(DeliveryTask.CURRENT_VERSION);
            assertThat(task.event().payload()).isEqualTo(byId.get(task.event().id()).payload());
            assertThat(task.sourceOffset()).isNotNegative();
        }
        // Keyed by subscription id, so one subscription's tasks share a partition (and so one dispatcher).
        assertThat(topics.readCommitted(topics.names.deliveries()).stream()
                .filter(r -> r.key().equals(all.id())).map(r -> r.partition()).distinct()).hasSize(1);
    }

    /**
     * A clean stop leaves the consumer group, so the stage started next gets the partitions at once instead of after
     * the stopped member's session has expired (45 s by default, not shortened here): otherwise every restart of the
     * standalone said "ready" and then fanned nothing out for most of a minute.
     */
    @Test
    void aCleanlyStoppedStageIsReplacedWithoutWaitingForItsSessionToExpire() {
        long restartedAt = System.nanoTime();
        dispatcher = dispatcher.restart();
        subscribe("restart", "orders.created");
        EventEnvelope event = topics.event("orders.created", "restart", "{}");
        topics.publish(event);

        await("the event fanned out by the restarted stage").atMost(Duration.ofSeconds(25))
                .until(() -> !tasksFor(Set.of(event.id())).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - restartedAt)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void anEventsTopicCreatedWhileRunningIsPickedUp() {
        TestSubscription late = subscribe("late", "late.*");
        topics.createEventsTopic("late.arrival", 2);
        List<EventEnvelope> events = List.of(topics.event("late.arrival", "late", "{\"a\":1}"),
                topics.event("late.arrival", "late", "{\"a\":2}"));
        events.forEach(topics::publish);

        Set<String> ids = events.stream().map(EventEnvelope::id).collect(Collectors.toSet());
        List<DeliveryTask> tasks = await("tasks of the new topic").atMost(WAIT).until(() -> tasksFor(ids),
                found -> found.size() >= 2);
        assertThat(pairs(tasks, ids)).containsExactlyInAnyOrderElementsOf(
                events.stream().map(e -> e.id() + "/" + late.id()).toList());
    }

    @Test
    void aNewTopicWithMorePartitionsThanAnyOtherStillFansOutAndDedupes() {
        // Regression: the dedupe store's changelog once took its partition count from the events topics, so a later
        // topic with more partitions stopped the whole stage ("internal topic ... has invalid partitions").
        TestSubscription wide = subscribe("wide", "wide.*");
        topics.createEventsTopic("wide.events", 8);
        List<EventEnvelope> plain = List.of(topics.event("wide.events", "wide", "{\"p\":1}"),
                topics.event("wide.events", "wide", "{\"p\":2}"));
        EventEnvelope idempotent = topics.event("evt_wide_1", "wide.events", "wide", "wide-key", "{\"try\":1}");
        EventEnvelope copy = topics.event("evt_wide_1", "wide.events", "wide", "wide-key", "{\"try\":2}");
        plain.forEach(topics::publish);
        topics.publish(idempotent);
        topics.publish(copy);

        Set<String> ids = new HashSet<>(Set.of("evt_wide_1"));
        plain.forEach(e -> ids.add(e.id()));
        List<DeliveryTask> tasks = await("tasks of the wide topic").atMost(WAIT).until(() -> tasksFor(ids),
                found -> found.size() >= 3);
        topics.awaitFannedOut(WAIT, "wide.events");
        assertThat(tasksFor(ids)).extracting(t -> t.event().id() + "/" + t.subscriptionId())
                .containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> id + "/" + wide.id()).toList());
        assertThat(tasks).filteredOn(t -> t.event().id().equals("evt_wide_1")).singleElement()
                .satisfies(t -> assertThat(t.sourcePartition()).isBetween(0, 7));
    }

    @Test
    void aRepublishedIdempotentEventOfTheSameTenantGivesNoNewTask() {
        TestSubscription sub = subscribe("dedupe", "orders.*");
        TestSubscription otherTenant = subscribe("dedupe-other", "orders.*");
        EventEnvelope first = topics.event("evt_dedupe_1", "orders.created", "dedupe", "key-1", "{\"try\":1}");
        EventEnvelope retried = topics.event("evt_dedupe_1", "orders.created", "dedupe", "key-1", "{\"try\":2}");
        EventEnvelope sameIdOtherTenant = topics.event("evt_dedupe_1", "orders.created", "dedupe-other", "key-1",
                "{\"tenant\":\"other\"}");
        EventEnvelope otherKey = topics.event("evt_dedupe_2", "orders.created", "dedupe", "key-2", "{\"try\":1}");
        List.of(first, retried, sameIdOtherTenant, otherKey).forEach(topics::publish);

        topics.awaitFannedOut(WAIT, "orders.created");
        Set<String> ids = Set.of("evt_dedupe_1", "evt_dedupe_2");
        List<DeliveryTask> tasks = await("tasks").atMost(WAIT).until(() -> tasksFor(ids), found -> found.size() >= 3);
        assertThat(tasks).extracting(t -> t.event().id() + "/" + t.subscriptionId())
                .containsExactlyInAnyOrder("evt_dedupe_1/" + sub.id(), "evt_dedupe_1/" + otherTenant.id(),
                        "evt_dedupe_2/" + sub.id());
        assertThat(tasks).filteredOn(t -> t.subscriptionId().equals(sub.id()) && t.event().id().equals("evt_dedupe_1"))
                .singleElement().satisfies(t -> assertThat(t.event().payload().get("try").asInt()).isEqualTo(1));
    }

    @Test
    void disabledAndDeletedSubscriptionsGetNoTasksForEventsPublishedAfterTheChange() {
        SubscriptionRecord record = topics.subscription("prop", "https://example.com/prop", "*").record();
        subscribe(record);
        EventEnvelope before = topics.event("invoices.paid", "prop", "{\"phase\":\"active\"}");
        topics.publish(before);
        await("task while active").atMost(WAIT).until(() -> tasksFor(Set.of(before.id())), f -> f.size() == 1);

        subscribe(HooklineTopics.withStatus(record, SubscriptionRecord.DISABLED));
        EventEnvelope whileDisabled = topics.event("invoices.paid", "prop", "{\"phase\":\"disabled\"}");
        topics.publish(whileDisabled);
        // Subscriptions match events by when they are fanned out, not when published: let this one pass first.
        topics.awaitFannedOut(WAIT, "invoices.paid");

        TestSubscription deleted = subscribe("prop", "invoices.*");
        topics.delete(deleted.id());
        await("deletion indexed").atMost(WAIT).until(() -> dispatcher.service.index().get(deleted.id()).isEmpty());
        EventEnvelope afterDelete = topics.event("invoices.paid", "prop", "{\"phase\":\"deleted\"}");
        topics.publish(afterDelete);

        // invoices.paid has one partition: once the witness event is fanned out, so are the two before it.
        TestSubscription witness = subscribe("prop", "invoices.paid");
        EventEnvelope last = topics.event("invoices.paid", "prop", "{\"phase\":\"witness\"}");
        topics.publish(last);
        topics.awaitFannedOut(WAIT, "invoices.paid");
        List<DeliveryTask> witnessed = await("witness task").atMost(WAIT).until(() -> tasksFor(Set.of(last.id())),
                f -> !f.isEmpty());

        assertThat(witnessed).extracting(DeliveryTask::subscriptionId).containsExactly(witness.id());
        assertThat(tasksFor(Set.of(whileDisabled.id(), afterDelete.id()))).isEmpty();
    }
}
