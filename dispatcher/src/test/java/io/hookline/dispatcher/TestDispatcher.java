package io.hookline.dispatcher;

import static org.awaitility.Awaitility.await;

import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One in-process dispatcher on the test broker that a test class shares across its tests, with the events topics it
 * reads from the start, and the {@link HooklineTopics} to feed it and read what it wrote.
 */
final class TestDispatcher implements AutoCloseable {
    /** How long the tests of a shared dispatcher wait for anything it does (generous: a loaded 2-core box). */
    static final Duration WAIT = Duration.ofSeconds(60);

    final HooklineTopics topics;
    final DispatcherService service;
    private final Map<String, String> env;

    private TestDispatcher(HooklineTopics topics, Map<String, String> env, DispatcherService service) {
        this.topics = topics;
        this.env = env;
        this.service = service;
    }

    /**
     * Creates {@code eventsTopics} (Hookline topic → partitions) before the dispatcher starts, so its first
     * discovery sees them; {@code envOverrides} are name, value pairs over {@link HooklineTopics#env}.
     */
    static TestDispatcher start(TestKafka kafka, Map<String, Integer> eventsTopics, String... envOverrides) {
        HooklineTopics topics = new HooklineTopics(kafka);
        try {
            eventsTopics.forEach(topics::createEventsTopic);
            Map<String, String> env = topics.env(envOverrides);
            return new TestDispatcher(topics, env, DispatcherService.start(DispatcherConfig.from(env)));
        } catch (RuntimeException e) {
            topics.close();
            throw e;
        }
    }

    /** Puts the record as the registrar's outbox would and waits until the dispatcher indexed that version. */
    void subscribe(SubscriptionRecord record) {
        topics.put(record);
        await("subscription " + record.id() + " v" + record.version() + " indexed").atMost(WAIT)
                .until(() -> service.index().get(record.id()).map(r -> r.version() == record.version())
                        .orElse(false));
    }

    /**
     * Subscribes {@code tenant}'s endpoint at {@code url} to {@code topic} with its own retry schedule and
     * {@code maxInFlight} (5 s timeout), and waits until the dispatcher indexed it.
     */
    TestSubscription subscribe(String tenant, String url, String topic, List<String> schedule, Integer maxInFlight) {
        TestSubscription sub = topics.subscription(tenant, url, List.of(topic),
                r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, maxInFlight,
                        5_000, schedule, null, null, null, SubscriptionRecord.ACTIVE, 1, r.secrets(), r.createdAt(),
                        r.updatedAt()));
        subscribe(sub.record());
        return sub;
    }

    /** Stops the dispatcher cleanly and starts a new one with the same settings on the same topics, as a redeploy. */
    TestDispatcher restart() {
        service.close();
        return new TestDispatcher(topics, env, DispatcherService.start(DispatcherConfig.from(env)));
    }

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            topics.close();
        }
    }
}
