package io.hookline.dispatcher.delivery;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link AttemptRecord} per HTTP attempt to {@code hookline.attempts}. A task counts as final only once
 * its attempt record is acknowledged (or failed for good), so a crash cannot drop an attempt from the history.
 */
public final class AttemptLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptLog.class);

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public AttemptLog(KafkaSettings kafka, String clientId) {
        this.topic = kafka.topicNames().attempts();
        this.producer = new KafkaProducer<>(kafka.clientConfig(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // send() runs on the delivery scheduler's thread: never let it wait long on missing metadata
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, clientId)),
                new StringSerializer(), new ByteArraySerializer());
        producer.partitionsFor(topic); // warm the metadata now, not on the first delivery
    }

    /** Completes (never exceptionally) once the record is acknowledged or has failed for good. */
    public CompletableFuture<Void> record(AttemptRecord attempt) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, attempt.subscriptionId(), Json.write(attempt)), (meta, error) -> {
                if (error != null) {
                    LOG.warn("attempt {} of event {} for subscription {} not recorded: {}", attempt.attempt(),
                            attempt.eventId(), attempt.subscriptionId(), error.toString());
                }
                done.complete(null);
            });
        } catch (RuntimeException e) {
            LOG.warn("attempt {} of event {} for subscription {} not recorded: {}", attempt.attempt(),
                    attempt.eventId(), attempt.subscriptionId(), e.toString());
            done.complete(null);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
