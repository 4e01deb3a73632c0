package io.hookline.replayer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A real dlq-replayer on real Kafka and PostgreSQL, driven through its HTTP API, plus record builders. */
final class TestReplayer implements AutoCloseable {
    static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ReplayerService service;
    final String baseUrl;

    private TestReplayer(ReplayerService service, String baseUrl) {
        this.service = service;
        this.baseUrl = baseUrl;
    }

    static Map<String, String> env(TestKafka kafka, TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("HOOKLINE_TOPIC_PREFIX", kafka.topicPrefix());
        env.put("HOOKLINE_DB_URL", db.jdbcUrl());
        env.put("HOOKLINE_DB_USER", db.user());
        env.put("HOOKLINE_DB_PASSWORD", db.password());
        env.put("HOOKLINE_ADMIN_KEY", ADMIN_KEY);
        return env;
    }

    static TestReplayer start(Map<String, String> env) {
        ReplayerService service = ReplayerService.start(ReplayerConfig.from(env));
        return new TestReplayer(service, "http://127.0.0.1:" + service.httpPort());
    }

    /** The API of a replayer running elsewhere (another process); closing it leaves that replayer alone. */
    static TestReplayer at(String baseUrl) {
        return new TestReplayer(null, baseUrl);
    }

    record Response(int status, JsonNode body, String raw) {
        String text(String field) {
            JsonNode v = body.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    Response call(String method, String path, String key, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.writeString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        boolean isJson = r.headers().firstValue("content-type").orElse("").contains("json");
        JsonNode json = r.body().isEmpty() || !isJson ? NullNode.getInstance() : Json.MAPPER.readTree(r.body());
        return new Response(r.statusCode(), json, r.body());
    }

    Response get(String path, String key) throws IOException, InterruptedException {
        return call("GET", path, key, null);
    }

    Response post(String path, String key, Object body) throws IOException, InterruptedException {
        return call("POST", path, key, body);
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }

    /**
     * Every committed record of {@code topic} up to its current end (all partitions), so no duplicate can hide:
     * what a {@code read_committed} reader such as the dispatcher sees.
     */
    static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> readToEnd(TestKafka kafka,
                                                                                          String topic) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProps(kafka.name("reader")));
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> out = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The records a job wrote to the deliveries topic (at least {@code atLeast} of them), by dead-letter id. */
    static Map<String, List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>>> replaysOf(
            TestKafka kafka, String jobId, int atLeast) {
        String deliveries = new TopicNames(kafka.topicPrefix()).deliveries();
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> all = org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> readToEnd(kafka, deliveries).stream()
                        .filter(r -> DeadLetterApiIT.header(r).startsWith(jobId + "/")).toList(),
                        l -> l.size() >= atLeast);
        return all.stream().collect(java.util.stream.Collectors.groupingBy(
                r -> DeadLetterApiIT.header(r).substring(jobId.length() + 1)));
    }

    // ---------------------------------------------------------------------------------------------- records

    static DeadLetter letter(String id, String tenant, String subscription, String topic, String reason,
                             Integer lastStatus, Instant deadAt) {
        EventEnvelope event = new EventEnvelope("evt_" + id, topic, tenant, null, null, deadAt.minusSeconds(600),
                deadAt.minusSeconds(600), Json.MAPPER.valueToTree(Map.of("letter", id, "amount", 42)));
        DeliveryTask task = new DeliveryTask(DeliveryTask.CURRENT_VERSION, event, subscription, 3,
                deadAt.minusSeconds(500), deadAt.minusSeconds(10), 0, 7);
        return new DeadLetter(DeadLetter.CURRENT_VERSION, id, task, reason, List.of(
                new DeadLetter.AttemptSummary(1, deadAt.minusSeconds(500), 500, 120, "HTTP 500"),
                new DeadLetter.AttemptSummary(2, deadAt.minusSeconds(200), 502, 80, "HTTP 502"),
                new DeadLetter.AttemptSummary(3, deadAt.minusSeconds(10), lastStatus, 30,
                        lastStatus == null ? "connection refused" : "HTTP " + lastStatus)), deadAt);
    }

    static void produce(TestKafka kafka, DeadLetter letter) {
        kafka.send(new TopicNames(kafka.topicPrefix()).dlq(), letter.task().subscriptionId(), Json.writeString(letter));
    }

    /** Produces many letters at once (one flush), faster than {@link #produce} one by one. */
    static void produceAll(TestKafka kafka, List<DeadLetter> letters) {
        String dlq = new TopicNames(kafka.topicPrefix()).dlq();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(kafka.producerProps())) {
            List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
            for (DeadLetter letter : letters) {
                acks.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(dlq,
                        letter.task().subscriptionId(), Json.writeString(letter))));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce the dead letters", e);
        }
    }

    static void subscription(TestKafka kafka, String id, String tenant, String status) {
        SubscriptionRecord record = new SubscriptionRecord(id, tenant, "http://127.0.0.1:9/hook", List.of("*"), null,
                Map.of(), null, null, null, null, null, "unordered", null, status, 1, List.of(), Instant.now(),
                Instant.now());
        kafka.send(new TopicNames(kafka.topicPrefix()).subscriptions(), id, Json.writeString(record));
    }

    static void deleteSubscription(TestKafka kafka, String id) {
        kafka.send(new TopicNames(kafka.topicPrefix()).subscriptions(), id, null);
    }

    /** Publishes a tenant key with the given scopes; returns the key. */
    static String tenantKey(TestKafka kafka, String tenant, String... scopes) {
        String key = ApiKeys.generate();
        ApiKeyRecord record = new ApiKeyRecord("key_" + tenant + "_" + String.join("_", scopes), tenant, Set.of(scopes),
                ApiKeys.hash(key), Instant.now());
        kafka.send(new TopicNames(kafka.topicPrefix()).apiKeys(), record.id(), Json.writeString(record));
        return key;
    }
}
