package io.hookline.dispatcher.retry;

import io.hookline.common.config.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer of the retry path: retry tiers, re-injection into {@code hookline.deliveries}, dead letters and
 * subscription commands ({@code acks=all}, idempotent). {@link #send} completes only once the broker acknowledged
 * the record: a write that fails for good is sent again (every second) until it succeeds or the publisher closes,
 * and then the future never completes — the source record's offset is never committed and it is read again after
 * a restart. That is what makes "scheduled on a retry topic (acked)" a final state.
 */
public final class RetryPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPublisher.class);
    private static final long RESEND_AFTER_MS = 1000;

    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService resends;
    private volatile boolean closed;

    public RetryPublisher(KafkaSettings kafka, String clientId) {
        this.producer = new KafkaProducer<>(kafka.clientConfig(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // send() runs on the scheduler's and the tier consumer's threads: never wait long on metadata
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, clientId)),
                new StringSerializer(), new ByteArraySerializer());
        this.resends = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "retry-publisher-resend");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Completes once the broker acknowledged the record; never exceptionally (see the class comment). */
    public CompletableFuture<Void> send(String topic, String key, byte[] value, Headers headers) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        attempt(topic, key, value, headers, acked);
        return acked;
    }

    /**
     * One send without resends of its own (the idempotent producer still retries within {@code delivery.timeout.ms}),
     * for records whose loss loses no task: completes exceptionally if the broker did not take it. May block the
     * calling thread for up to {@code max.block.ms} while the topic's metadata is missing.
     */
    public CompletableFuture<Void> sendOnce(String topic, String key, byte[] value) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (meta, error) -> {
                if (error == null) {
                    acked.complete(null);
                } else {
                    acked.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    private void attempt(String topic, String key, byte[] value, Headers headers, CompletableFuture<Void> acked) {
        if (closed) {
            return;
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, key, value, headers), (meta, error) -> {
                if (error == null) {
                    acked.complete(null);
                } else {
                    resendLater(topic, key, value, headers, acked, error);
                }
            });
        } catch (RuntimeException e) {
            resendLater(topic, key, value, headers, acked, e);
        }
    }

    private void resendLater(String topic, String key, byte[] value, Headers headers, CompletableFuture<Void> acked,
                             Throwable error) {
        if (closed) {
            return;
        }
        LOG.warn("writing to {} (key {}) failed, trying again in {} ms: {}", topic, key, RESEND_AFTER_MS,
                error.toString());
        try {
            resends.schedule(() -> attempt(topic, key, value, headers, acked), RESEND_AFTER_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the source record is read again after the restart
        }
    }

    /** Waits until everything sent so far is acknowledged or failed (hand-over of partitions). */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        closed = true;
        resends.shutdownNow();
        producer.close(Duration.ofSeconds(10));
    }
}
