package io.hookline.gateway;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A gateway on the shared test broker, with the topic registry and API keys seeded the way the registrar publishes
 * them (JSON records on the compacted topics), and a plain JDK HTTP client to talk to it.
 */
final class GatewayFixture implements AutoCloseable {
    static final String ADMIN_KEY = "hk_admin_key_for_gateway_tests_0123456789";
    private static final AtomicInteger KEY_IDS = new AtomicInteger();

    final String bootstrapServers;
    final String topicPrefix;
    final TopicNames names;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private GatewayService service;

    /** One HTTP answer, body as text. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            try {
                return Json.readTree(body.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    GatewayFixture(TestKafka kafka) {
        this(kafka.bootstrapServers(), kafka.topicPrefix());
    }

    GatewayFixture(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix;
        this.names = new TopicNames(topicPrefix);
        try (Admin admin = newAdmin()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, names);
            List<NewTopic> needed = new ArrayList<>();
            for (NewTopic topic : provisioner.systemTopics(1)) {
                if (Set.of(names.topicRegistry(), names.apiKeys()).contains(topic.name())) {
                    needed.add(topic);
                }
            }
            provisioner.ensure(needed, Duration.ofSeconds(30));
        }
    }

    /** Registers a Hookline topic for {@code tenant} and creates its events topic, as the registrar does. */
    void topic(String name, String tenant, String schema, int partitions) {
        try (Admin admin = newAdmin()) {
            new TopicProvisioner(admin, names).ensure(List.of(new TopicProvisioner(admin, names)
                    .eventsTopic(name, partitions)), Duration.ofSeconds(30));
        }
        registerTopic(name, tenant, schema, partitions);
    }

    /** Only the registry record, without creating the Kafka topic. */
    void registerTopic(String name, String tenant, String schema, int partitions) {
        JsonNode schemaNode = null;
        if (schema != null) {
            try {
                schemaNode = Json.readTree(schema.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
        send(names.topicRegistry(), name, Json.writeString(
                new TopicRecord(name, tenant, partitions, "test topic", schemaNode, Instant.now())));
    }

    /** Creates a tenant API key with the scopes, as the registrar publishes it, and returns the key itself. */
    String apiKey(String tenant, String... scopes) {
        String key = ApiKeys.generate();
        String id = "key_" + KEY_IDS.incrementAndGet() + "_" + tenant;
        send(names.apiKeys(), id, Json.writeString(
                new ApiKeyRecord(id, tenant, Set.of(scopes), ApiKeys.hash(key), Instant.now())));
        return key;
    }

    GatewayService start(Map<String, String> extraEnv) {
        service = GatewayService.start(GatewayConfig.from(env(extraEnv)));
        return service;
    }

    Map<String, String> env(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("HOOKLINE_TOPIC_PREFIX", topicPrefix);
        env.put("HOOKLINE_ADMIN_KEY", ADMIN_KEY);
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.putAll(extraEnv);
        return env;
    }

    GatewayService service() {
        return service;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.httpPort() + path);
    }

    Answer publish(String topic, String key, String body, String... headers) {
        return post("/v1/topics/" + topic + "/events", key, "application/json", body, headers);
    }

    Answer publishBatch(String topic, String key, String body) {
        return post("/v1/topics/" + topic + "/events/batch", key, "application/json", body);
    }

    Answer post(String path, String key, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Reads at least {@code count} envelopes from the events topic of {@code topic}. */
    List<ConsumerRecord<String, String>> events(String topic, int count) {
        return readAll(names.events(topic), count, Duration.ofSeconds(30));
    }

    /** The ids of every envelope on the events topic of {@code topic}, once at least {@code count} are there. */
    List<String> eventIds(String topic, int count) {
        return events(topic, count).stream().map(r -> envelope(r).id()).toList();
    }

    Admin newAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    void send(String topic, String key, String value) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    /** Reads {@code topic} from the beginning, without a group, until at least {@code count} records arrived. */
    List<ConsumerRecord<String, String>> readAll(String topic, int count, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            await("topic " + topic).atMost(timeout).pollInSameThread().ignoreExceptions().until(() -> {
                partitions.clear();
                consumer.partitionsFor(topic, Duration.ofSeconds(2))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                return !partitions.isEmpty();
            });
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await("records on " + topic).atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                        boolean caughtUp = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                        return records.size() >= count && caughtUp;
                    });
        }
        return records;
    }

    static EventEnvelope envelope(ConsumerRecord<String, String> record) {
        return Json.read(record.value().getBytes(StandardCharsets.UTF_8), EventEnvelope.class);
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }
}
