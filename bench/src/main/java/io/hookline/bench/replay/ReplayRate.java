package io.hookline.bench.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.bench.load.BenchEnvironment;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Whether replay jobs keep the rate they were asked for, and where the replayer stops keeping up. For each
 * requested rate, N dead letters of one subscription are put on {@code hookline.dlq}, indexed by the standalone's
 * replayer and replayed by one job (the dispatcher then delivers them to the bench receiver, as in production).
 * The rate achieved is measured on the replays' own record timestamps on {@code hookline.deliveries}
 * ({@code read_committed}, as the dispatcher reads them): from the job's creation (the API's answer) to the last
 * write, and from the first write to the last. The baseline is the rate asked for. Also counts letters written more than once (must be 0).
 * Usage: {@code java -jar hookline-bench.jar replay-rate [letters per job, default 500] [rates, default 20,100,1000]}.
 */
public final class ReplayRate {
    private ReplayRate() {
    }

    public static void main(String[] args) throws Exception {
        int letters = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        List<Double> rates = new ArrayList<>();
        for (String r : (args.length > 1 ? args[1] : "20,100,1000").split(",")) {
            rates.add(Double.parseDouble(r));
        }
        try (BenchEnvironment env = BenchEnvironment.start(Map.of(), 2)) {
            env.createTopic("replayed", 1);
            String subscription = env.createSubscription(env.receiver().baseUrl(), "replayed", null, null);
            String base = "http://127.0.0.1:" + env.hookline().replayerPort();
            System.out.printf("replay jobs, %d letters each, subscription %s%n", letters, subscription);
            System.out.printf("%11s %14s %14s %10s %12s%n", "requested/s", "achieved/s", "first-last/s", "job s",
                    "duplicates");
            for (int round = 0; round < rates.size(); round++) {
                double rate = rates.get(round);
                // Each round's letters died within their own hour, so a job's filter takes only them.
                Instant since = Instant.now().minus(Duration.ofHours(round + 2));
                produceLetters(env, subscription, "r" + round, letters, since);
                awaitIndexed(env, base, subscription, since, letters);
                long started = System.nanoTime();
                JsonNode created = call(env, base, "POST", "/v1/replays", Json.MAPPER.createObjectNode()
                        .put("ratePerSecond", rate)
                        .set("filter", Json.MAPPER.createObjectNode().put("subscription", subscription)
                                .put("since", since.toString()).put("until", since.plusSeconds(3600).toString())));
                long createdAtMillis = System.currentTimeMillis();
                String jobId = created.get("id").asText();
                while (!"completed".equals(call(env, base, "GET", "/v1/replays/" + jobId, null).path("state")
                        .asText())) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                double jobSeconds = (System.nanoTime() - started) / 1e9;
                Map<String, List<Long>> written = replays(env.hookline().bootstrapServers(), jobId);
                List<Long> times = written.values().stream().map(l -> l.get(0)).sorted().toList();
                long duplicates = written.values().stream().filter(l -> l.size() > 1).count();
                if (times.size() != letters) {
                    throw new IllegalStateException("job " + jobId + " wrote " + times.size() + " letters of "
                            + letters);
                }
                double span = (times.get(times.size() - 1) - times.get(0)) / 1000.0;
                double sinceCreated = (times.get(times.size() - 1) - createdAtMillis) / 1000.0;
                System.out.printf("%11.0f %14.1f %14.1f %10.2f %12d%n", rate, (letters - 1) / sinceCreated,
                        (letters - 1) / span, jobSeconds, duplicates);
            }
        }
    }

    private static void produceLetters(BenchEnvironment env, String subscription, String round, int count,
                                       Instant since) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.hookline().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Instant deadAt = since.plusMillis(i);
                String id = String.format("dl_bench_%s_%06d", round, i);
                EventEnvelope event = new EventEnvelope("evt_" + id, "replayed", "default", null, null,
                        deadAt.minusSeconds(60), deadAt.minusSeconds(60),
                        Json.MAPPER.valueToTree(Map.of("letter", id)));
                DeliveryTask task = new DeliveryTask(DeliveryTask.CURRENT_VERSION, event, subscription, 3,
                        deadAt.minusSeconds(50), deadAt.minusSeconds(1), 0, i);
                DeadLetter letter = new DeadLetter(DeadLetter.CURRENT_VERSION, id, task, DeadLetter.EXHAUSTED,
                        List.of(new DeadLetter.AttemptSummary(3, deadAt.minusSeconds(1), 500, 5, "HTTP 500")), deadAt);
                acks.add(producer.send(new ProducerRecord<>("hookline.dlq", subscription, Json.writeString(letter))));
            }
            for (Future<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitIndexed(BenchEnvironment env, String base, String subscription, Instant since,
                                     int count) throws Exception {
        String path = "/v1/dead-letters?subscription=" + subscription + "&since=" + since + "&until="
                + since.plusSeconds(3600) + "&state=dead&limit=200";
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = 0;
            String cursor = null;
            do {
                JsonNode page = call(env, base, "GET", path
                        + (cursor == null ? "" : "&cursor=" + cursor), null);
                seen += page.get("data").size();
                cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
            } while (cursor != null);
            if (seen >= count) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IllegalStateException("only " + seen + " of " + count + " dead letters were indexed");
    }

    private static JsonNode call(BenchEnvironment env, String base, String method, String path, JsonNode body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("authorization", "Bearer " + env.hookline().adminKey())
                .timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = env.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Json.MAPPER.readTree(response.body());
    }

    /** The job's committed records on hookline.deliveries: letter id → record timestamps. */
    private static Map<String, List<Long>> replays(String bootstrap, String jobId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<String, List<Long>> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("hookline.deliveries").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    Header header = record.headers().lastHeader("hookline-replay");
                    String token = header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
                    if (token.startsWith(jobId + "/")) {
                        out.computeIfAbsent(token.substring(jobId.length() + 1), k -> new ArrayList<>())
                                .add(record.timestamp());
                    }
                }
            }
        }
        return out;
    }
}
