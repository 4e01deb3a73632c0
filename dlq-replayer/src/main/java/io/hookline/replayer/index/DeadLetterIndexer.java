package io.hookline.replayer.index;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.json.Json;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.DeadLetterRepository.IndexedLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies {@code hookline.dlq} into the {@code dead_letters} table, at least once and idempotently: each poll's
 * letters are inserted in one transaction ({@code ON CONFLICT (id) DO NOTHING}) and the offsets are committed to
 * Kafka only after that transaction committed. A crash in between re-reads the batch, which inserts nothing new.
 * When the database is down the batch is re-read after a pause instead of being skipped.
 */
public final class DeadLetterIndexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIndexer.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final ServiceDatabase database;
    private final DeadLetterRepository letters;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long lastProgressNanos = System.nanoTime();

    public DeadLetterIndexer(ServiceDatabase database, DeadLetterRepository letters, Map<String, Object> clientConfig,
                             String topic, String groupId) {
        this.database = database;
        this.letters = letters;
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-indexer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(this::run, "dlq-indexer");
        this.thread.setDaemon(true);
    }

    public DeadLetterIndexer start() {
        consumer.subscribe(List.of(topic));
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                lastProgressNanos = System.nanoTime();
                if (records.isEmpty()) {
                    continue;
                }
                List<IndexedLetter> batch = new ArrayList<>();
                Map<TopicPartition, Long> firstOffsets = new HashMap<>();
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    firstOffsets.putIfAbsent(tp, r.offset());
                    next.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    DeadLetter letter = decode(r);
                    if (letter != null) {
                        batch.add(new IndexedLetter(letter, r.partition(), r.offset()));
                    }
                }
                try {
                    int inserted = database.transaction(h -> letters.insertAll(h, batch));
                    consumer.commitSync(next);
                    if (inserted > 0) {
                        LOG.info("indexed {} dead letter(s) ({} already known)", inserted, batch.size() - inserted);
                    }
                } catch (RuntimeException e) {
                    if (!running.get()) {
                        break;
                    }
                    // Not committed: read the same records again after a pause (nothing is skipped).
                    LOG.warn("could not index {} dead letter(s), retrying in {}: {}", batch.size(), RETRY_PAUSE,
                            e.toString());
                    firstOffsets.forEach(consumer::seek);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE.toMillis()));
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.error("dead-letter indexer woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("dead-letter indexer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The letter, or null for a record that is not one (logged and skipped: it can never become one). */
    private static DeadLetter decode(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            DeadLetter letter = Json.read(r.value(), DeadLetter.class);
            if (letter.task().event() == null || letter.task().subscriptionId() == null) {
                throw new IllegalArgumentException("task without event or subscription");
            }
            return letter;
        } catch (RuntimeException e) {
            LOG.warn("skipping record {}-{}@{} that is not a dead letter: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return null;
        }
    }

    /** Whether the consumer polled recently (readiness). */
    public boolean isAlive() {
        return thread.isAlive() && System.nanoTime() - lastProgressNanos < TimeUnit.SECONDS.toNanos(60);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        if (thread.isAlive()) {
            consumer.wakeup();
            thread.join(10_000);
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5)); // never started: the consumer is still ours to close
        }
    }
}
