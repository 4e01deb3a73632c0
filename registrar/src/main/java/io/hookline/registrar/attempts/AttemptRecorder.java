package io.hookline.registrar.attempts;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.json.Json;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.health.EndpointHealth;
import io.hookline.registrar.store.AttemptRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code hookline.attempts} into PostgreSQL (a consumer group, so registrar instances share the work).
 * Offsets are committed only after the batch is committed in the database; a replay after a crash inserts
 * nothing twice (the primary key makes it a no-op). Keeps {@code retention} of history: each day is a
 * partition, and whole days older than that are dropped. Each batch's newly stored attempts also go through
 * {@link EndpointHealth}, which disables subscriptions whose endpoint is gone or failing, in the same transaction.
 */
public final class AttemptRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptRecorder.class);
    private static final Duration RETENTION_CHECK_EVERY = Duration.ofHours(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ServiceDatabase database;
    private final AttemptRepository attempts;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Duration retention;
    private final EndpointHealth health;
    private final Runnable afterChange;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Set<LocalDate> knownPartitions = ConcurrentHashMap.newKeySet();
    private Instant nextRetentionCheck = Instant.EPOCH;
    private int consecutiveFailures;
    private volatile long stored;

    public AttemptRecorder(ServiceDatabase database, AttemptRepository attempts, Map<String, Object> clientConfig,
                           String topic, String groupId, Duration retention) {
        this(database, attempts, clientConfig, topic, groupId, retention, null, () -> {
        });
    }

    /**
     * @param health      decides from the newly stored attempts which subscriptions to disable, in the same
     *                    transaction (null = history only)
     * @param afterChange runs after a batch that disabled subscriptions committed (wakes the outbox relay)
     */
    public AttemptRecorder(ServiceDatabase database, AttemptRepository attempts, Map<String, Object> clientConfig,
                           String topic, String groupId, Duration retention, EndpointHealth health,
                           Runnable afterChange) {
        this.health = health;
        this.afterChange = afterChange;
        this.database = database;
        this.attempts = attempts;
        this.topic = topic;
        this.retention = retention;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-registrar-attempts");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "registrar-attempt-recorder");
        this.thread.setDaemon(true);
    }

    public AttemptRecorder start() {
        if (running.compareAndSet(false, true)) {
            thread.start();
        }
        return this;
    }

    /** Attempts written to the database since start (duplicates included). */
    public long storedCount() {
        return stored;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    try {
                        store(records);
                        consumer.commitSync();
                        if (consecutiveFailures > 0) {
                            LOG.info("recording delivery attempts again after {} failures", consecutiveFailures);
                        }
                        consecutiveFailures = 0;
                    } catch (RuntimeException e) {
                        consecutiveFailures++;
                        LOG.warn("could not record {} delivery attempts, will retry: {}", records.count(), e.getMessage());
                        rewind(records);
                        backOff();
                        continue;
                    }
                }
                dropExpiredIfDue();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.error("attempt recorder woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("attempt recorder stopped: {}", e.toString(), e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void store(ConsumerRecords<String, byte[]> records) {
        Instant oldest = Instant.now().minus(retention);
        List<AttemptRecord> batch = new ArrayList<>(records.count());
        Set<LocalDate> days = new TreeSet<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            AttemptRecord attempt = decode(record);
            if (attempt == null || attempt.startedAt().isBefore(oldest)) {
                continue; // unreadable, or older than the history kept
            }
            batch.add(attempt);
            days.add(LocalDate.ofInstant(attempt.startedAt(), ZoneOffset.UTC));
        }
        if (batch.isEmpty()) {
            return;
        }
        List<EndpointHealth.Disabled> disabled = database.transaction(h -> {
            for (LocalDate day : days) {
                if (!knownPartitions.contains(day)) {
                    attempts.ensurePartition(h, day);
                }
            }
            List<AttemptRecord> inserted = attempts.insertAll(h, batch);
            // Only attempts stored just now count: a record read again after a crash decides nothing twice.
            return health == null ? List.<EndpointHealth.Disabled>of() : health.apply(h, inserted);
        });
        knownPartitions.addAll(days);
        if (!disabled.isEmpty()) {
            health.committed(disabled);
            afterChange.run();
        }
        stored += batch.size();
        LOG.debug("recorded {} delivery attempts", batch.size());
    }

    private AttemptRecord decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            AttemptRecord attempt = Json.read(record.value(), AttemptRecord.class);
            if (attempt.id() == null || attempt.subscriptionId() == null || attempt.startedAt() == null
                    || attempt.outcome() == null || attempt.eventId() == null) {
                throw new IllegalArgumentException("missing id, subscriptionId, eventId, startedAt or outcome");
            }
            if (attempt.tenant() == null || attempt.topic() == null) {
                return new AttemptRecord(attempt.v(), attempt.id(), attempt.subscriptionId(),
                        attempt.tenant() == null ? "" : attempt.tenant(), attempt.eventId(),
                        attempt.topic() == null ? "" : attempt.topic(), attempt.attempt(), attempt.url(),
                        attempt.startedAt(), attempt.latencyMs(), attempt.outcome(), attempt.statusCode(),
                        attempt.error(), attempt.retryAfterMs(), attempt.responseExcerpt());
            }
            return attempt;
        } catch (RuntimeException e) {
            LOG.warn("skipping unreadable attempt record at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    /** Goes back to the first record of the failed batch on each partition, so nothing is skipped. */
    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void dropExpiredIfDue() {
        Instant now = Instant.now();
        if (now.isBefore(nextRetentionCheck)) {
            return;
        }
        nextRetentionCheck = now.plus(RETENTION_CHECK_EVERY);
        try {
            dropExpired(now);
        } catch (RuntimeException e) {
            LOG.warn("could not drop expired attempt history: {}", e.getMessage());
        }
    }

    /** Drops the partitions of days that ended before {@code now - retention}; returns the days dropped. */
    public List<LocalDate> dropExpired(Instant now) {
        LocalDate firstKept = LocalDate.ofInstant(now.minus(retention), ZoneOffset.UTC);
        List<LocalDate> dropped = database.transaction(h -> {
            List<LocalDate> expired = attempts.partitionDays(h).stream().filter(d -> d.isBefore(firstKept)).toList();
            for (LocalDate day : expired) {
                attempts.dropPartition(h, day);
            }
            return expired;
        });
        knownPartitions.removeAll(dropped);
        if (!dropped.isEmpty()) {
            LOG.info("dropped delivery history of {} (kept {})", dropped, retention);
        }
        return dropped;
    }

    private void backOff() {
        long millis = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(consecutiveFailures - 1, 6));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running.get() && System.nanoTime() < deadline) {
            // Waiting out a database outage; close() ends the wait at once through the running flag.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))); // never started
            }
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
