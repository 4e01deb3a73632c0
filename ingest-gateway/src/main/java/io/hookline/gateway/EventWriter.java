package io.hookline.gateway;

import io.hookline.common.http.ProblemException;
import io.hookline.common.log.LogContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes event envelopes to their events topics and reports each one's outcome only once Kafka has acknowledged it
 * ({@code acks=all}, idempotent producer), or failed it.
 *
 * <p>Buffering is bounded twice: by an in-flight budget (events and bytes not yet acknowledged) checked before
 * anything is handed to Kafka, so a slow or absent Kafka turns into immediate 503s instead of a growing queue; and by
 * the producer's own buffer, sized above the budget, so {@code send()} does not block on it. {@code send()} still
 * may block for topic metadata it does not have, so records for a topic are handed to sender threads until Kafka
 * has acknowledged one of them recently; from then on the producer has the topic's metadata and the calling thread
 * (the HTTP event loop) sends itself, which saves a thread hand-off per request — a quarter of the gateway's CPU
 * per event. Each record goes to a sender thread chosen by its topic and key, and a record is sent inline only when
 * that sender has nothing queued, so records sharing an ordering key are sent in the order their requests arrived.
 * (If an events topic is deleted in Kafka while the gateway still has it registered, the first sends after that
 * may block their event loop for up to the producer's {@code max.block.ms} before the topic is marked missing.)
 */
final class EventWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);

    /** Seconds a client is told to wait when the gateway's own buffer is full. */
    static final int BUSY_RETRY_AFTER_SECONDS = 1;
    /** Seconds a client is told to wait when Kafka failed or did not acknowledge in time. */
    static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
    /** How long publishes to a topic Kafka had no metadata for fail fast, instead of blocking a sender again. */
    private static final long MISSING_TOPIC_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How long after an acknowledgement a topic's records are sent inline: well within the producer's
     * {@code metadata.max.idle.ms} (5 min), after which it forgets a topic it has not sent to.
     */
    static final long INLINE_AFTER_ACK_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** An acknowledgement refreshes its topic's time at most this often, to keep the producer's thread cheap. */
    private static final long ACK_TIME_RESOLUTION_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One record to write: an envelope for {@code kafkaTopic} under {@code key}. */
    record Outgoing(String kafkaTopic, String key, byte[] value, String eventId) {
    }

    private final Producer<String, byte[]> producer;
    private final ExecutorService[] senders;
    private final GatewayMetrics metrics;
    private final int maxInFlightEvents;
    private final long maxInFlightBytes;
    private final Map<String, Long> missingTopicsUntil = new ConcurrentHashMap<>();
    /** When Kafka last acknowledged a record of each topic (nanoTime, refreshed at most once a second). */
    private final Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
    /** Per sender: records handed to it and not yet given to the producer. */
    private final AtomicInteger[] queued;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** When the last failure line was logged (nanoTime), and how many failures were not logged since. */
    private final long[] failureLog = {System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS, 0};
    private int inFlightEvents;
    private long inFlightBytes;
    private volatile boolean closed;

    EventWriter(Map<String, Object> producerConfig, int senderThreads, int maxInFlightEvents, long maxInFlightBytes,
                GatewayMetrics metrics) {
        this(new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer()), senderThreads,
                maxInFlightEvents, maxInFlightBytes, metrics);
    }

    EventWriter(Producer<String, byte[]> producer, int senderThreads, int maxInFlightEvents, long maxInFlightBytes,
                GatewayMetrics metrics) {
        this.producer = producer;
        this.metrics = metrics;
        this.maxInFlightEvents = maxInFlightEvents;
        this.maxInFlightBytes = maxInFlightBytes;
        this.senders = new ExecutorService[senderThreads];
        this.queued = new AtomicInteger[senderThreads];
        for (int i = 0; i < senderThreads; i++) {
            String name = "gateway-sender-" + i;
            queued[i] = new AtomicInteger();
            senders[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        metrics.inFlightGauges(this::inFlightEvents, this::inFlightBytes);
    }

    /**
     * Hands the records to Kafka and returns one future per record, completed when Kafka acknowledged it or
     * completed exceptionally with a {@link ProblemException} (503 with Retry-After, or 413 when Kafka refuses the
     * record's size). Either every record is taken or none is.
     *
     * @throws ProblemException 503 when the in-flight budget is exhausted, a topic is known to be missing, or the
     *                          writer is closed — nothing was handed to Kafka then
     */
    List<CompletableFuture<RecordMetadata>> write(List<Outgoing> records) {
        if (closed) {
            throw ProblemException.unavailable("the gateway is shutting down; retry on another instance",
                    BUSY_RETRY_AFTER_SECONDS);
        }
        long now = System.nanoTime();
        for (Outgoing record : records) {
            Long until = missingTopicsUntil.get(record.kafkaTopic());
            if (until != null) {
                if (until - now > 0) {
                    throw ProblemException.unavailable("Kafka has no metadata for this topic's events topic "
                            + record.kafkaTopic() + " right now; retry later", UNAVAILABLE_RETRY_AFTER_SECONDS);
                }
                missingTopicsUntil.remove(record.kafkaTopic(), until);
            }
        }
        long bytes = 0;
        for (Outgoing record : records) {
            bytes += record.value().length;
        }
        if (!tryReserve(records.size(), bytes)) {
            throw ProblemException.unavailable("the gateway is waiting for Kafka to acknowledge too many events; "
                    + "retry shortly", BUSY_RETRY_AFTER_SECONDS);
        }
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(records.size());
        int[] stripes = new int[records.size()];
        boolean inline = true;
        for (int i = 0; i < records.size(); i++) {
            futures.add(new CompletableFuture<>());
            Outgoing record = records.get(i);
            stripes[i] = Math.floorMod(31 * record.kafkaTopic().hashCode() + record.key().hashCode(), senders.length);
            inline &= sendsInline(record.kafkaTopic(), stripes[i], now);
        }
        if (inline) {
            for (int i = 0; i < records.size(); i++) {
                send(records.get(i), futures.get(i));
            }
            return futures;
        }
        List<List<Integer>> byStripe = new ArrayList<>(senders.length);
        for (int stripe = 0; stripe < senders.length; stripe++) {
            byStripe.add(null);
        }
        for (int i = 0; i < records.size(); i++) {
            if (byStripe.get(stripes[i]) == null) {
                byStripe.set(stripes[i], new ArrayList<>());
            }
            byStripe.get(stripes[i]).add(i);
        }
        for (int stripe = 0; stripe < senders.length; stripe++) {
            List<Integer> indexes = byStripe.get(stripe);
            if (indexes == null) {
                continue;
            }
            AtomicInteger pending = queued[stripe];
            pending.addAndGet(indexes.size());
            try {
                senders[stripe].execute(() -> {
                    for (int index : indexes) {
                        send(records.get(index), futures.get(index));
                        pending.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException e) {
                pending.addAndGet(-indexes.size());
                for (int index : indexes) {
                    fail(records.get(index), futures.get(index), ProblemException.unavailable(
                            "the gateway is shutting down; retry on another instance", BUSY_RETRY_AFTER_SECONDS));
                }
            }
        }
        return futures;
    }

    /**
     * Whether a record may be sent on the calling thread: Kafka acknowledged its topic recently (so the producer has
     * the metadata and send() does not block), and its sender holds nothing that must go first.
     */
    private boolean sendsInline(String topic, int stripe, long now) {
        Long acknowledged = acknowledgedAt.get(topic);
        return acknowledged != null && now - acknowledged < INLINE_AFTER_ACK_NANOS && queued[stripe].get() == 0;
    }

    private void send(Outgoing record, CompletableFuture<RecordMetadata> future) {
        long start = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(record.kafkaTopic(), record.key(), record.value()), (metadata, error) -> {
                if (error == null) {
                    release(1, record.value().length);
                    long now = System.nanoTime();
                    metrics.acknowledged(now - start);
                    Long acknowledged = acknowledgedAt.get(record.kafkaTopic());
                    if (acknowledged == null || now - acknowledged > ACK_TIME_RESOLUTION_NANOS) {
                        acknowledgedAt.put(record.kafkaTopic(), now);
                    }
                    future.complete(metadata);
                } else {
                    fail(record, future, toProblem(record, error));
                }
            });
        } catch (RuntimeException e) {
            // send() throws when the producer is closed or the record cannot be accepted at all.
            fail(record, future, toProblem(record, e));
        }
    }

    private void fail(Outgoing record, CompletableFuture<RecordMetadata> future, ProblemException problem) {
        release(1, record.value().length);
        future.completeExceptionally(problem);
    }

    private ProblemException toProblem(Outgoing record, Throwable error) {
        try (LogContext ids = LogContext.of(LogContext.EVENT_ID, record.eventId())) {
            return problemOf(record, error);
        }
    }

    private ProblemException problemOf(Outgoing record, Throwable error) {
        if (error instanceof RecordTooLargeException) {
            LOG.warn("Kafka refused event {} on {} as too large ({} bytes): {}", record.eventId(), record.kafkaTopic(),
                    record.value().length, error.getMessage());
            return ProblemException.payloadTooLarge("the event is larger than Kafka accepts for this topic");
        }
        String message = String.valueOf(error.getMessage());
        if (error instanceof org.apache.kafka.common.errors.TimeoutException && message.contains("not present in metadata")) {
            missingTopicsUntil.put(record.kafkaTopic(), System.nanoTime() + MISSING_TOPIC_BACKOFF_NANOS);
            acknowledgedAt.remove(record.kafkaTopic());
        }
        logFailure(record, error);
        return ProblemException.unavailable("Kafka did not acknowledge the event; it may not be stored. Retry with the "
                + "same Idempotency-Key to avoid a duplicate", UNAVAILABLE_RETRY_AFTER_SECONDS);
    }

    /**
     * One line per failed event while failures are rare; during an outage (thousands per second) one line per
     * second with the number of failures it stands for, so the log stays readable and cheap.
     */
    private void logFailure(Outgoing record, Throwable error) {
        long now = System.nanoTime();
        long suppressed;
        synchronized (failureLog) {
            if (now - failureLog[0] < FAILURE_LOG_INTERVAL_NANOS) {
                failureLog[1]++;
                return;
            }
            suppressed = failureLog[1];
            failureLog[0] = now;
            failureLog[1] = 0;
        }
        LOG.warn("event {} not stored on {}: {}{}", record.eventId(), record.kafkaTopic(), error.toString(),
                suppressed > 0 ? " (and " + suppressed + " more events failed in the last second)" : "");
    }

    private synchronized boolean tryReserve(int events, long bytes) {
        boolean idle = inFlightEvents == 0;
        // A request larger than the whole budget is still admitted when nothing else is in flight.
        if (!idle && (inFlightEvents + events > maxInFlightEvents || inFlightBytes + bytes > maxInFlightBytes)) {
            return false;
        }
        inFlightEvents += events;
        inFlightBytes += bytes;
        return true;
    }

    private synchronized void release(int events, long bytes) {
        inFlightEvents -= events;
        inFlightBytes -= bytes;
    }

    synchronized int inFlightEvents() {
        return inFlightEvents;
    }

    synchronized long inFlightBytes() {
        return inFlightBytes;
    }

    /**
     * Stops taking records, lets the sender threads hand over what they hold, and closes the producer, which waits up
     * to {@code timeout} for the outstanding acknowledgements (their callbacks complete the requests' futures).
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration timeout) {
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ExecutorService sender : senders) {
            sender.shutdown();
        }
        for (ExecutorService sender : senders) {
            try {
                sender.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
