package io.hookline.bench.registrar;

import io.hookline.bench.load.BenchEnvironment;
import io.hookline.bench.load.LatencySummary;
import io.hookline.common.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How long after the registrar's answer a change is visible on {@code hookline.subscriptions} (the contract asks
 * for 1 s at p99). Creates and then disables N subscriptions one after another through the API and watches the
 * compacted topic with a plain consumer; the delay of each change is arrival on the topic minus the moment the
 * 2xx answer was received (0 when the record was already there).
 * Usage: {@code java -jar hookline-bench.jar registrar-propagation [changes, default 300]}.
 */
public final class RegistrarPropagation {
    private RegistrarPropagation() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        try (BenchEnvironment env = BenchEnvironment.start(Map.of(), 2)) {
            env.createTopic("propagation", 1);
            Map<String, Long> seenNanos = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread watcher = watch(env.hookline().bootstrapServers(), "hookline.subscriptions", seenNanos, running);
            List<String> keys = new ArrayList<>();
            Map<String, Long> answeredNanos = new HashMap<>();
            for (int i = 0; i < changes; i++) {
                boolean create = i < changes / 2 || keys.isEmpty();
                if (create) {
                    String id = env.createSubscription(env.receiver().baseUrl(), "propagation", null, null);
                    answeredNanos.put(id + "#active", System.nanoTime());
                    keys.add(id);
                } else {
                    String id = keys.get(i - changes / 2);
                    env.adminPost("/v1/subscriptions/" + id + "/disable", Json.MAPPER.createObjectNode(), 200);
                    answeredNanos.put(id + "#disabled", System.nanoTime());
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!seenNanos.keySet().containsAll(answeredNanos.keySet()) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            running.set(false);
            watcher.join();
            long[] delays = new long[answeredNanos.size()];
            int count = 0;
            int missing = 0;
            for (Map.Entry<String, Long> answered : answeredNanos.entrySet()) {
                Long seen = seenNanos.get(answered.getKey());
                if (seen == null) {
                    missing++;
                } else {
                    delays[count++] = Math.max(0, seen - answered.getValue());
                }
            }
            LatencySummary summary = LatencySummary.of(delays, count);
            System.out.printf("registrar change -> visible on hookline.subscriptions, %d changes (%d never seen):%n"
                    + "  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", answeredNanos.size(), missing,
                    summary.p50() / 1e6, summary.p90() / 1e6, summary.p99() / 1e6, summary.max() / 1e6);
        }
    }

    private static Thread watch(String bootstrap, String topic, Map<String, Long> seenNanos, AtomicBoolean running) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread thread = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (record.value() != null) {
                            String status = Json.MAPPER.readTree(record.value()).path("status").asText();
                            seenNanos.putIfAbsent(record.key() + "#" + status, now);
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "propagation-watcher");
        thread.start();
        return thread;
    }
}
