package io.hookline.dispatcher;

import static org.awaitility.Awaitility.await;

import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.testkit.TestKafka;
import java.time.Duration;
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

    private TestDispatcher(HooklineTopics topics, DispatcherService service) {
        this.topics = topics;
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
            return new TestDispatcher(topics,
                    DispatcherService.start(DispatcherConfig.from(topics.env(envOverrides))));
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

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            topics.close();
        }
    }
}
