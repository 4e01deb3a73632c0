package io.hookline.replayer.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Answers "did we already write this replay?" for letters a crash left in {@code sending}: reads
 * {@code hookline.deliveries} from shortly before the earliest such letter was marked (record timestamps are the
 * producer's clock, the same JVM clock that stamped {@code sending_at}) up to the current end, collecting the
 * {@value DeliveryTaskWriter#REPLAY_HEADER} headers. Reads {@code read_committed}, as the dispatcher does: an
 * aborted replay was never delivered and does not count as written. "The current end" is the high watermark, not
 * the last stable offset, so a committed replay behind a still open fan-out transaction is waited for rather than
 * missed. Only used at start-up and after a failed write, so the scan cost does not matter.
 */
public final class SentLetterFinder {
    /** Slack for clock steps between marking a letter and the producer stamping its record. */
    private static final Duration SLACK = Duration.ofMinutes(2);

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final Duration timeout;

    public SentLetterFinder(Map<String, Object> clientConfig, String topic, Duration timeout) {
        this.clientConfig = clientConfig;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** The tokens among {@code wanted} that are on the topic. */
    public Set<String> find(Set<String> wanted, Instant earliest) {
        Set<String> found = new HashSet<>();
        if (wanted.isEmpty()) {
            return found;
        }
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-dlq-replayer-resume");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<TopicPartition, Long> ends;
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> view = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = view.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            ends = view.endOffsets(partitions, timeout);
        }
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.copyOf(ends.keySet());
            long from = earliest.minus(SLACK).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp start = starts.get(tp);
                if (start != null && start.offset() < ends.get(tp)) {
                    remaining.put(tp, ends.get(tp));
                }
            }
            consumer.assign(remaining.keySet());
            remaining.keySet().forEach(tp -> consumer.seek(tp, starts.get(tp).offset()));
            long deadline = System.nanoTime() + timeout.toNanos() * 4;
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic + " to find replayed letters");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader(DeliveryTaskWriter.REPLAY_HEADER);
                    if (h != null) {
                        String token = new String(h.value(), StandardCharsets.UTF_8);
                        if (wanted.contains(token)) {
                            found.add(token);
                        }
                    }
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                consumer.assign(remaining.keySet());
            }
        }
        return found;
    }
}
