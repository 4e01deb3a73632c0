package io.hookline.replayer.replay;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes replayed tasks to {@code hookline.deliveries} (key = subscription id, like the fan-out) in Kafka
 * transactions under one fixed transactional id per replayer deployment. Each record carries the header
 * {@value #REPLAY_HEADER} = {@code <job id>/<letter id>}, by which {@link SentLetterFinder} recognises what was
 * already written.
 *
 * <p>Why transactions: the dispatcher reads this topic {@code read_committed}, so a replay exists for it only once
 * its transaction committed, and {@link #fence()} ({@code initTransactions}) settles every earlier transaction
 * under the id for good: a commit in progress is completed, anything else is aborted, and an earlier producer (a
 * killed or partitioned replayer, or this one before a failed write) can never commit again. After a fence, "is
 * this letter's record on the topic?" therefore has a final answer; without it, a write the old process had in
 * flight (or one whose acknowledgement timed out here) could still land after the answer "not written" and the
 * letter would go out twice.
 */
public final class DeliveryTaskWriter implements AutoCloseable {
    public static final String REPLAY_HEADER = "hookline-replay";
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryTaskWriter.class);

    /** One task to write and its {@value #REPLAY_HEADER} token. */
    public record Replay(DeliveryTask task, String token) {
    }

    /** The write's outcome is unknown until the next {@link #fence()} settles it. */
    public static final class WriteFailedException extends Exception {
        WriteFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, Object> props;
    private final String topic;
    private KafkaProducer<String, byte[]> producer;

    /**
     * @param transactionalId the same for every instance of one replayer deployment (they share its database and
     *                        its lease), different between deployments that share a Kafka cluster
     */
    public DeliveryTaskWriter(Map<String, Object> clientConfig, String topic, String transactionalId,
                              Duration timeout) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "hookline-dlq-replayer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int ms = (int) timeout.toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms + Math.min(ms, 30_000));
        // A transaction of a killed replayer holds back read_committed readers of its partitions until it is
        // aborted: by the next leader's fence, or by the coordinator after this long (ours last milliseconds).
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Math.max(ms, 10_000));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.props = p;
        this.topic = topic;
    }

    public static String token(String jobId, String letterId) {
        return jobId + "/" + letterId;
    }

    /**
     * Makes this instance the transactional id's only producer (see the class comment): call it on becoming the
     * replay leader, and before looking on Kafka for letters whose write is in doubt. Throws if Kafka cannot be
     * reached within the timeout (the caller retries).
     */
    public synchronized void fence() {
        closeProducer();
        KafkaProducer<String, byte[]> fresh = new KafkaProducer<>(props);
        try {
            fresh.initTransactions();
        } catch (RuntimeException e) {
            fresh.close(Duration.ZERO);
            throw e;
        }
        producer = fresh;
    }

    /** Fences (see {@link #fence()}) unless the producer of the last fence is still open. */
    public synchronized void ensureFenced() {
        if (producer == null) {
            fence();
        }
    }

    /**
     * Writes the tasks in one transaction and returns once it committed. On {@link WriteFailedException} nothing
     * is known: the caller fences, then looks for the tokens on the topic.
     */
    public synchronized void write(List<Replay> replays) throws WriteFailedException {
        if (producer == null) {
            throw new WriteFailedException("the replay writer is not fenced in (an earlier write failed)", null);
        }
        try {
            producer.beginTransaction();
            for (Replay replay : replays) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, replay.task().subscriptionId(),
                        Json.write(replay.task()));
                record.headers().add(REPLAY_HEADER, replay.token().getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.commitTransaction();
        } catch (KafkaException | IllegalStateException e) {
            // Aborting right away frees the partitions' last stable offset (read_committed readers wait behind an
            // open transaction); either way the next fence settles the transaction for good.
            try {
                producer.abortTransaction();
            } catch (RuntimeException notAbortable) {
                LOG.debug("aborting the failed replay transaction failed: {}", notAbortable.toString());
            }
            closeProducer();
            throw new WriteFailedException("writing " + replays.size() + " replay(s) failed", e);
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing the replay producer failed: {}", e.toString());
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
