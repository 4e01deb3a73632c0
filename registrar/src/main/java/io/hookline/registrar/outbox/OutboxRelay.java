package io.hookline.registrar.outbox;

import io.hookline.common.kafka.TopicNames;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.OutboxEntry;
import io.hookline.registrar.store.OutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to Kafka on its own thread. It runs a batch right after every local commit
 * ({@link #wake()}) and otherwise every poll interval, which also picks up rows committed by other registrar
 * instances or left behind by a crash. A batch is claimed with {@code FOR UPDATE SKIP LOCKED} inside one
 * transaction, sent with an idempotent {@code acks=all} producer, and a row is marked sent only after Kafka
 * acknowledged it; if the process dies in between, the row is simply published again (a duplicate on a
 * compacted topic is harmless, a loss would not be).
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH_SIZE = 200;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    private static final Duration KEEP_SENT = Duration.ofDays(1);

    private final ServiceDatabase database;
    private final OutboxRepository outbox;
    private final Producer<String, byte[]> producer;
    private final TopicNames names;
    private final Duration pollInterval;
    private final Duration ackTimeout;
    private final LinkedBlockingQueue<Boolean> wakeUps = new LinkedBlockingQueue<>(1);
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();
    private final Thread thread;
    private final Counter publishedCounter;
    private final Counter failedCounter;
    private final Timer lag;
    private volatile String lastError;
    private int consecutiveFailures;
    private Instant nextPurge = Instant.now().plus(PURGE_EVERY);

    /**
     * @param ackTimeout how long to wait for one batch's acknowledgements; at least the producer's
     *                   {@code delivery.timeout.ms}, after which the producer has given up anyway
     */
    public OutboxRelay(ServiceDatabase database, OutboxRepository outbox, Producer<String, byte[]> producer,
                       TopicNames names, Duration pollInterval, Duration ackTimeout, MeterRegistry meters) {
        this.database = database;
        this.outbox = outbox;
        this.producer = producer;
        this.names = names;
        this.pollInterval = pollInterval;
        this.ackTimeout = ackTimeout;
        this.thread = new Thread(this::run, "registrar-outbox-relay");
        this.thread.setDaemon(true);
        this.publishedCounter = Counter.builder("hookline.registrar.outbox.published")
                .description("Outbox records published to Kafka and acknowledged").register(meters);
        this.failedCounter = Counter.builder("hookline.registrar.outbox.failures")
                .description("Outbox records whose publication failed (retried later)").register(meters);
        this.lag = Timer.builder("hookline.registrar.outbox.lag")
                .description("Time from the change's transaction to Kafka's acknowledgement")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /**
     * The producer settings the relay relies on: idempotent, {@code acks=all}, ordered retries (at most five
     * in-flight requests keep order with idempotence), bounded blocking so a Kafka outage fails a batch instead
     * of hanging it.
     */
    public static KafkaProducer<String, byte[]> newProducer(Map<String, Object> clientConfig, Duration deliveryTimeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        long delivery = Math.max(deliveryTimeout.toMillis(), 2000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, delivery / 2));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "hookline-registrar-outbox");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    public OutboxRelay start() {
        if (running.compareAndSet(false, true)) {
            thread.start();
        }
        return this;
    }

    /** Asks the relay to look at the outbox now (called after each commit that appended rows). */
    public void wake() {
        wakeUps.offer(Boolean.TRUE);
    }

    /** Records published and acknowledged since start. */
    public long publishedCount() {
        return published.get();
    }

    /** The last publication error, or null once a batch succeeded again. */
    public String lastError() {
        return lastError;
    }

    /**
     * Publishes one batch on the caller's thread, before {@link #start} (e.g. what start-up itself wrote); a
     * failure is logged and left to the relay's thread.
     */
    public void publishPendingNow() {
        try {
            relayBatch();
        } catch (RuntimeException e) {
            onFailure("outbox relay failed: " + e.getMessage());
        }
    }

    private void run() {
        LOG.info("outbox relay started (poll every {})", pollInterval);
        while (running.get()) {
            boolean full = false;
            try {
                full = relayBatch() == BATCH_SIZE;
                purgeIfDue();
            } catch (RuntimeException e) {
                onFailure("outbox relay failed: " + e.getMessage());
            }
            if (consecutiveFailures > 0) {
                backOff();
            } else if (!full) {
                awaitWakeUp(pollInterval);
            }
        }
        LOG.info("outbox relay stopped ({} records published)", published.get());
    }

    /**
     * Claims, publishes and settles one batch in one transaction. Returns how many rows were claimed. At most one
     * row per key is in a batch, so any subset of acknowledged rows can be marked sent without reordering a key.
     */
    int relayBatch() {
        return database.transaction(h -> {
            List<OutboxEntry> batch = outbox.claim(h, BATCH_SIZE);
            if (batch.isEmpty()) {
                return 0;
            }
            List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
            for (OutboxEntry entry : batch) {
                Future<RecordMetadata> ack = send(entry);
                acks.add(ack);
                if (ack.isDone() && failed(ack)) {
                    // Refused at once (typically no metadata within max.block.ms): the next send would block just
                    // as long, so the rest of the batch stays pending for the next attempt.
                    break;
                }
            }
            List<Long> sent = new ArrayList<>(batch.size());
            String failure = null;
            long deadline = System.nanoTime() + ackTimeout.toNanos();
            for (int i = 0; i < acks.size(); i++) {
                OutboxEntry entry = batch.get(i);
                try {
                    acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    sent.add(entry.seq());
                    if (entry.createdAt() != null) {
                        lag.record(Duration.between(entry.createdAt(), Instant.now()));
                    }
                    LOG.debug("published outbox #{} {} key={}{}", entry.seq(), entry.channel().wireName(), entry.key(),
                            entry.payload() == null ? " (tombstone)" : "");
                } catch (ExecutionException | TimeoutException e) {
                    String reason = e instanceof ExecutionException && e.getCause() != null
                            ? e.getCause().toString() : "no acknowledgement within " + ackTimeout;
                    failure = reason;
                    failedCounter.increment();
                    outbox.markFailed(h, entry.seq(), reason);
                    LOG.warn("could not publish outbox #{} {} key={} (attempt {}): {}", entry.seq(),
                            entry.channel().wireName(), entry.key(), entry.attempts() + 1, reason);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                }
            }
            outbox.markSent(h, sent);
            published.addAndGet(sent.size());
            publishedCounter.increment(sent.size());
            if (failure != null) {
                onFailure(failure);
            } else {
                onSuccess();
            }
            return batch.size();
        });
    }

    private Future<RecordMetadata> send(OutboxEntry entry) {
        try {
            return producer.send(new ProducerRecord<>(entry.channel().kafkaTopic(names), entry.key(), entry.payload()));
        } catch (RuntimeException e) {
            // The producer may refuse synchronously (metadata unavailable within max.block.ms, closed producer).
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private static boolean failed(Future<RecordMetadata> done) {
        try {
            done.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void onFailure(String reason) {
        consecutiveFailures++;
        if (lastError == null) {
            LOG.warn("outbox relay cannot publish, will retry: {}", reason);
        }
        lastError = reason;
    }

    private void onSuccess() {
        if (consecutiveFailures > 0) {
            LOG.info("outbox relay publishing again after {} failed attempts", consecutiveFailures);
        }
        consecutiveFailures = 0;
        lastError = null;
    }

    private void purgeIfDue() {
        Instant now = Instant.now();
        if (now.isAfter(nextPurge)) {
            nextPurge = now.plus(PURGE_EVERY);
            int purged = database.transaction(h -> outbox.purgeSent(h, now.minus(KEEP_SENT)));
            if (purged > 0) {
                LOG.info("purged {} outbox rows published before {}", purged, now.minus(KEEP_SENT));
            }
        }
    }

    /** After failures, waits pollInterval * 2^(n-1) up to 30 s; wake-ups do not shorten it. */
    private void backOff() {
        long factor = 1L << Math.min(consecutiveFailures - 1, 10);
        long millis = Math.min(MAX_BACKOFF.toMillis(), pollInterval.toMillis() * factor);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running.get() && System.nanoTime() < deadline) {
            awaitWakeUp(Duration.ofNanos(deadline - System.nanoTime()));
        }
    }

    private void awaitWakeUp(Duration timeout) {
        try {
            wakeUps.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Stops the thread after its current batch; rows still pending are published by another instance or later. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        wake();
        try {
            thread.join(ackTimeout.toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
