package io.hookline.replayer.replay;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes replayed tasks to {@code hookline.deliveries} (key = subscription id, like the fan-out) with an
 * idempotent {@code acks=all} producer, and waits for the acknowledgement. Each record carries the header
 * {@value #REPLAY_HEADER} = {@code <job id>/<letter id>}, by which a restarted replayer recognises what it had
 * already written (see {@link SentLetterFinder}).
 */
public final class DeliveryTaskWriter implements AutoCloseable {
    public static final String REPLAY_HEADER = "hookline-replay";

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public DeliveryTaskWriter(Map<String, Object> clientConfig, String topic, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "hookline-dlq-replayer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int ms = (int) timeout.toMillis();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms + Math.min(ms, 30_000));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        this.timeout = timeout.plus(Duration.ofMillis(Math.min(ms, 30_000)));
    }

    public static String token(String jobId, String letterId) {
        return jobId + "/" + letterId;
    }

    /**
     * Writes the task and waits for Kafka's acknowledgement. Any exception leaves it unknown whether the record
     * was written.
     */
    public RecordMetadata write(DeliveryTask task, String token) throws InterruptedException, ExecutionException,
            TimeoutException {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, task.subscriptionId(), Json.write(task));
        record.headers().add(REPLAY_HEADER, token.getBytes(StandardCharsets.UTF_8));
        return producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
