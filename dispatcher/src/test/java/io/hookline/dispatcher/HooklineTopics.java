package io.hookline.dispatcher;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.event.AttemptRecord;
import io.hookline.signature.WebhookSecret;
import io.hookline.testkit.TestKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the integration tests put on and read from Hookline's topics directly, standing in for the registrar
 * (subscription records) and the gateway (event envelopes): records exactly as DESIGN.md section 3 defines them.
 */
public final class HooklineTopics implements AutoCloseable {
    public final TestKafka kafka;
    public final TopicNames names;
    public final String secretKey = SecretCipher.generateKey();
    public final SecretCipher cipher = SecretCipher.fromBase64Key(secretKey);
    private final KafkaProducer<String, String> producer;
    private final Admin admin;

    /** A subscription as published, with the plaintext secret a receiver would verify with. */
    public record TestSubscription(SubscriptionRecord record, WebhookSecret secret) {
        public String id() {
            return record.id();
        }
    }

    public HooklineTopics(TestKafka kafka) {
        this.kafka = kafka;
        this.names = new TopicNames(kafka.topicPrefix());
        this.producer = new KafkaProducer<>(kafka.producerProps());
        this.admin = kafka.newAdmin();
    }

    /** The environment of a dispatcher on the test broker: loopback allowed, fast commits and topic discovery. */
    public Map<String, String> env(String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("HOOKLINE_TOPIC_PREFIX", kafka.topicPrefix());
        env.put("HOOKLINE_SECRET_KEY", secretKey);
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128");
        env.put("HOOKLINE_STATE_DIR", tempDir().toString());
        env.put("HOOKLINE_FANOUT_METADATA_MAX_AGE", "1s");
        env.put("HOOKLINE_FANOUT_COMMIT_INTERVAL", "100ms");
        env.put("HOOKLINE_DELIVERY_COMMIT_INTERVAL", "200ms");
        // Two delay tiers instead of nine: every test class creates its own retry topics on the shared broker.
        env.put("HOOKLINE_RETRY_TIERS", "1s,5s");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hookline-dispatcher-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates Hookline's system topics as a service would at start-up, for tests that write before one runs. */
    public void createSystemTopics(int deliveryPartitions) {
        new TopicProvisioner(admin, names).ensureSystemTopics(deliveryPartitions, Duration.ofSeconds(30));
    }

    public void createEventsTopic(String topic, int partitions) {
        kafka.createTopic(names.events(topic), partitions);
    }

    /** An active subscription with a fresh secret; {@code customize} may replace fields (limits, headers...). */
    public TestSubscription subscription(String tenant, String url, List<String> topics,
                                         Function<SubscriptionRecord, SubscriptionRecord> customize) {
        WebhookSecret secret = WebhookSecret.generate();
        Instant now = Instant.now();
        SubscriptionRecord record = new SubscriptionRecord(EventIds.newId("sub_"), tenant, url, topics, null, null,
                null, null, null, null, null, null, null, SubscriptionRecord.ACTIVE, 1,
                List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(secret.toString()), null)), now, now);
        return new TestSubscription(customize.apply(record), secret);
    }

    public TestSubscription subscription(String tenant, String url, String... topics) {
        return subscription(tenant, url, List.of(topics), r -> r);
    }

    public static SubscriptionRecord with(SubscriptionRecord r, String status, Double rate, Integer maxInFlight,
                                          Integer timeoutMs, Map<String, String> headers, String ordering) {
        return new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), r.description(), headers, rate,
                maxInFlight, timeoutMs, r.retrySchedule(), r.maxAgeSeconds(), ordering, r.metadata(), status,
                r.version() + 1, r.secrets(), r.createdAt(), Instant.now());
    }

    public static SubscriptionRecord withStatus(SubscriptionRecord r, String status) {
        return with(r, status, r.rateLimitPerSecond(), r.maxInFlight(), r.timeoutMs(), r.headers(), r.ordering());
    }

    /** The {@code hookline.deliveries} partition a subscription's tasks land on (key = its id, default partitioner). */
    public static int deliveryPartition(String subscriptionId, int partitions) {
        return Utils.toPositive(Utils.murmur2(subscriptionId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Publishes the record as the registrar's outbox would (key = id) and waits for the broker's ack. */
    public void put(SubscriptionRecord record) {
        send(names.subscriptions(), record.id(), Json.writeString(record));
    }

    public void delete(String subscriptionId) {
        send(names.subscriptions(), subscriptionId, null);
    }

    public EventEnvelope event(String topic, String tenant, String payloadJson) {
        return event(EventIds.newEventId(), topic, tenant, null, payloadJson);
    }

    public EventEnvelope event(String id, String topic, String tenant, String idempotencyKey, String payloadJson) {
        try {
            JsonNode payload = Json.readTree(payloadJson.getBytes());
            Instant now = Instant.now();
            return new EventEnvelope(id, topic, tenant, null, idempotencyKey, now, now, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes as the gateway does: key = ordering key or event id, value = the envelope. */
    public void publish(EventEnvelope event) {
        send(names.events(event.topic()), event.kafkaKey(), Json.writeString(event));
    }

    /** Publishes many events at once and waits until the broker acknowledged every one. */
    public void publishAll(List<EventEnvelope> events) {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (EventEnvelope event : events) {
            acks.add(producer.send(new ProducerRecord<>(names.events(event.topic()), event.kafkaKey(),
                    Json.writeString(event))));
        }
        for (var ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot publish", e);
            }
        }
    }

    /** Writes delivery tasks as the fan-out stage would (key = subscription id); returns where each landed. */
    public List<org.apache.kafka.clients.producer.RecordMetadata> writeTasks(List<DeliveryTask> tasks) {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
        for (DeliveryTask task : tasks) {
            acks.add(producer.send(new ProducerRecord<>(names.deliveries(), task.subscriptionId(),
                    Json.writeString(task))));
        }
        List<org.apache.kafka.clients.producer.RecordMetadata> out = new ArrayList<>();
        for (var ack : acks) {
            try {
                out.add(ack.get(30, TimeUnit.SECONDS));
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot write tasks", e);
            }
        }
        return out;
    }

    /** Writes a delivery task record as given, e.g. in the format an older version wrote. */
    public void writeTaskJson(String subscriptionId, String json) {
        send(names.deliveries(), subscriptionId, json);
    }

    private void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    /** Waits until the fan-out stage has committed past every event on the given Hookline topics. */
    public void awaitFannedOut(Duration timeout, String... topics) {
        List<String> kafkaTopics = new ArrayList<>();
        for (String topic : topics) {
            kafkaTopics.add(names.events(topic));
        }
        awaitGroupCaughtUp(names.fanOutApplicationId(), kafkaTopics, timeout);
    }

    /** Waits until the delivery stage has committed its watermark to the end of {@code hookline.deliveries}. */
    public void awaitDeliveriesFinal(Duration timeout) {
        awaitGroupCaughtUp(names.deliveryGroupId(), List.of(names.deliveries()), timeout);
    }

    private void awaitGroupCaughtUp(String group, List<String> topics, Duration timeout) {
        await(group + " caught up on " + topics).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (var description : admin.describeTopics(topics).allTopicNames().get().values()) {
                        description.partitions().forEach(p -> latest.put(
                                new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
                    }
                    var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .all().get();
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get();
                    for (var end : ends.entrySet()) {
                        long endOffset = end.getValue().offset();
                        OffsetAndMetadata position = committed.get(end.getKey());
                        if (endOffset > 0 && (position == null || position.offset() < endOffset)) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Every committed delivery task on {@code hookline.deliveries}, read up to the last stable offset. */
    public List<DeliveryTask> readTasks() {
        return readCommitted(names.deliveries()).stream().map(r -> Json.read(r.value(), DeliveryTask.class)).toList();
    }

    /** Every attempt record on {@code hookline.attempts}. */
    public List<AttemptRecord> readAttempts() {
        return readCommitted(names.attempts()).stream().map(r -> Json.read(r.value(), AttemptRecord.class)).toList();
    }

    public List<ConsumerRecord<String, byte[]>> readCommitted(String topic) {
        return read(topic, "read_committed");
    }

    /** Every record of {@code topic} up to its end offset under the given isolation level. */
    public List<ConsumerRecord<String, byte[]>> read(String topic, String isolationLevel) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the LSO under read_committed
            await("reading " + topic).atMost(Duration.ofSeconds(30)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                        return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
                    });
        }
        return out;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
