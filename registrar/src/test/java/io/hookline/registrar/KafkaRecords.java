package io.hookline.registrar;

import static org.awaitility.Awaitility.await;

import io.hookline.testkit.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reading what the registrar broadcast, through the test kit's reader. */
final class KafkaRecords {
    private KafkaRecords() {
    }

    /** Waits until the newest record of {@code key} on {@code topic} satisfies {@code condition}; returns it. */
    static ConsumerRecord<String, String> awaitLatest(TestKafka kafka, String topic, String key,
                                                      Predicate<ConsumerRecord<String, String>> condition) {
        AtomicReference<ConsumerRecord<String, String>> latest = new AtomicReference<>();
        await("record " + key + " on " + topic).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Optional<ConsumerRecord<String, String>> last = kafka.readAll(topic, 1, Duration.ofSeconds(10))
                            .stream().filter(r -> key.equals(r.key())).reduce((a, b) -> b);
                    last.ifPresent(latest::set);
                    return last.isPresent() && condition.test(last.get());
                });
        return latest.get();
    }

    /** The newest value of every key read from {@code topic} (null for a tombstone); may miss the topic's tail. */
    static Map<String, String> latest(TestKafka kafka, String topic) {
        Map<String, String> latest = new HashMap<>();
        for (ConsumerRecord<String, String> r : kafka.readAll(topic, 1, Duration.ofSeconds(20))) {
            latest.put(r.key(), r.value());
        }
        return latest;
    }
}
