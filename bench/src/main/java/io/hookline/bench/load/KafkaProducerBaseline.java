package io.hookline.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw Kafka rate on this machine and broker: one {@link KafkaProducer} sending {@code records} records of the
 * gateway's envelope size, flat out, asynchronously, with the durability and tuning the gateway uses ({@code acks=all},
 * idempotence, linger 5 ms, 64 KiB batches) — what Kafka's own {@code ProducerPerformance} measures. Latency is send
 * → acknowledgement, which for a flat-out run is mostly time queued in the producer's buffer.
 */
public final class KafkaProducerBaseline {

    public record Result(int records, long elapsedNanos, LatencySummary latency, long errors, String firstError) {
    }

    private KafkaProducerBaseline() {
    }

    public static Result run(String bootstrapServers, int partitions, int records, byte[] value, Duration maxDuration)
            throws Exception {
        String topic = "bench-raw-producer-" + Long.toHexString(System.nanoTime());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-raw-producer");
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            // Metadata and the first connection are not part of the measurement. Each partition gets its first
            // record alone, acknowledged before the flood: a producer with several requests in flight to a partition
            // the broker has not opened yet can have them reordered around a NOT_LEADER_OR_FOLLOWER, and its first
            // batch then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (KAFKA-15591/KAFKA-14312,
            // seen here against the embedded broker); that is a Kafka defect, not the rate this baseline measures.
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, "warm-up", value)).get(60, TimeUnit.SECONDS);
            }
            LatencyRecorder latencies = new LatencyRecorder(records);
            AtomicLong errors = new AtomicLong();
            AtomicReference<String> firstError = new AtomicReference<>();
            AtomicLong lastAck = new AtomicLong();
            long begin = System.nanoTime();
            long deadline = maxDuration.isZero() ? Long.MAX_VALUE : begin + maxDuration.toNanos();
            int sent = 0;
            long[] starts = new long[records];
            AtomicLong acked = new AtomicLong();
            for (int i = 0; i < records && System.nanoTime() - deadline < 0; i++) {
                starts[i] = System.nanoTime();
                int index = i;
                sent++;
                producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), value), (metadata, error) -> {
                    long now = System.nanoTime();
                    latencies.record(now - starts[index]);
                    if (error != null) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, error.toString());
                    }
                    lastAck.accumulateAndGet(now, Math::max);
                    acked.incrementAndGet();
                });
            }
            producer.flush();
            if (acked.get() != sent) {
                throw new IllegalStateException("flush returned with " + acked.get() + " of " + sent + " acknowledged");
            }
            return new Result(sent, lastAck.get() - begin, latencies.summary(), errors.get(), firstError.get());
        }
    }
}
