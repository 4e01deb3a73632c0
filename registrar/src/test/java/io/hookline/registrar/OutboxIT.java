package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.database.DatabaseSettings;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.registrar.outbox.OutboxRelay;
import io.hookline.registrar.store.OutboxChannel;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transactional outbox: a change committed while Kafka cannot take it is published once Kafka can; a crash
 * between commit and publish loses nothing; several relays (registrar instances) keep each key in order.
 */
@WithKafka
@WithPostgres
class OutboxIT {
    static TestKafka kafka;
    static TestDatabase db;
    static ServiceDatabase database;
    static final OutboxRepository OUTBOX = new OutboxRepository();

    @BeforeAll
    static void open() {
        database = ServiceDatabase.open(new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), "registrar", 6,
                Duration.ofSeconds(5)), "registrar", "db/migration", new SimpleMeterRegistry());
        kafka.createTopic(names().topicRegistry(), 1,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    @AfterAll
    static void close() {
        if (database != null) {
            database.close();
        }
    }

    private static TopicNames names() {
        return new TopicNames(kafka.topicPrefix());
    }

    private static OutboxRelay relay(KafkaProducer<String, byte[]> producer, Duration ackTimeout) {
        return new OutboxRelay(database, OUTBOX, producer, names(), Duration.ofMillis(100), ackTimeout,
                new SimpleMeterRegistry());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, Duration deliveryTimeout) {
        return OutboxRelay.newProducer(Map.of("bootstrap.servers", bootstrap), deliveryTimeout);
    }

    private static int closedLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<Map<String, Object>> rows(String keyPrefix) {
        return TestRegistrar.query(db, "SELECT record_key, attempts, last_error, sent_at FROM outbox "
                + "WHERE record_key LIKE '" + keyPrefix + "%' ORDER BY seq");
    }

    @Test
    void aChangeCommittedWhileKafkaFailsIsPublishedOnceKafkaTakesIt() throws Exception {
        database.write(h -> {
            OUTBOX.append(h, OutboxChannel.TOPICS, "down.a", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
            OUTBOX.append(h, OutboxChannel.TOPICS, "down.b", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
            return null;
        });
        // Kafka unreachable: publishing fails, the rows stay pending and record why.
        try (KafkaProducer<String, byte[]> dead = producer("127.0.0.1:" + closedLoopbackPort(), Duration.ofSeconds(2));
             OutboxRelay failing = relay(dead, Duration.ofSeconds(4)).start()) {
            await("failed attempt recorded").atMost(Duration.ofSeconds(30)).until(() -> rows("down.").stream()
                    .anyMatch(r -> ((Integer) r.get("attempts")) >= 1 && r.get("last_error") != null));
            assertThat(rows("down.")).allMatch(r -> r.get("sent_at") == null);
            assertThat(failing.lastError()).isNotNull();
            assertThat(failing.publishedCount()).isZero();
        }
        // Kafka back: the same rows are published and marked sent.
        try (KafkaProducer<String, byte[]> live = producer(kafka.bootstrapServers(), Duration.ofSeconds(10));
             OutboxRelay relay = relay(live, Duration.ofSeconds(15)).start()) {
            await("rows marked sent").atMost(Duration.ofSeconds(30))
                    .until(() -> rows("down.").stream().allMatch(r -> r.get("sent_at") != null));
            assertThat(relay.lastError()).isNull();
        }
        List<ConsumerRecord<String, String>> published = kafka.readAll(names().topicRegistry(), 2,
                Duration.ofSeconds(20));
        assertThat(published.stream().filter(r -> r.key().startsWith("down.")).map(ConsumerRecord::key))
                .containsExactly("down.a", "down.b");
    }

    /**
     * Instance A claims the first change of each key and then hangs on a Kafka it cannot reach; instance B, which
     * can publish, must not overtake it with the second change (the compacted topic would end on the first).
     */
    @Test
    void aRelayNeverOvertakesAnotherRelaysOlderChangeOfTheSameKey() throws Exception {
        int keys = 3;
        appendVersion("race.", keys, 1);
        try (KafkaProducer<String, byte[]> dead = producer("127.0.0.1:" + closedLoopbackPort(), Duration.ofSeconds(3));
             OutboxRelay stuck = relay(dead, Duration.ofSeconds(5)).start()) {
            await("A holds the first changes").atMost(Duration.ofSeconds(10)).until(() -> TestRegistrar.query(db,
                    "SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE record_key LIKE 'race.%' "
                            + "AND sent_at IS NULL FOR UPDATE SKIP LOCKED) free").get(0).get("n").equals(0L));
            appendVersion("race.", keys, 2);
            try (KafkaProducer<String, byte[]> live = producer(kafka.bootstrapServers(), Duration.ofSeconds(10));
                 OutboxRelay healthy = relay(live, Duration.ofSeconds(15)).start()) {
                await("all rows sent").atMost(Duration.ofSeconds(60))
                        .until(() -> rows("race.").stream().allMatch(r -> r.get("sent_at") != null));
                assertThat(healthy.publishedCount()).isEqualTo(2L * keys);
            }
            assertThat(stuck.publishedCount()).isZero();
        }
        Map<String, List<Integer>> perKey = new LinkedHashMap<>();
        await("both versions on Kafka").atMost(Duration.ofSeconds(30)).until(() -> {
            perKey.clear();
            for (ConsumerRecord<String, String> r : kafka.readAll(names().topicRegistry(), 2 * keys,
                    Duration.ofSeconds(20))) {
                if (r.key().startsWith("race.")) {
                    perKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.value()));
                }
            }
            return perKey.size() == keys && perKey.values().stream().allMatch(v -> v.size() >= 2);
        });
        perKey.forEach((key, seen) -> assertThat(seen).as(key).containsExactly(1, 2));
    }

    private static void appendVersion(String prefix, int keys, int version) {
        database.write(h -> {
            for (int k = 0; k < keys; k++) {
                OUTBOX.append(h, OutboxChannel.TOPICS, prefix + k,
                        Integer.toString(version).getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
    }

    @Test
    void aCrashBetweenCommitAndPublishLosesNothing() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_SCHEMA", "crash"); // its own tables, apart from the relay tests above
        String id;
        try (TestRegistrar first = TestRegistrar.start(env)) {
            // The relay dies before publishing: the API's commits stay in the outbox only.
            first.service.outboxRelay().close();
            assertThat(first.post("/v1/topics", ADMIN_KEY, "{\"name\":\"crash.topic\",\"partitions\":1}").status())
                    .isEqualTo(201);
            Response sub = first.post("/v1/subscriptions", ADMIN_KEY,
                    "{\"url\":\"http://127.0.0.1:9/crash\",\"topics\":[\"crash.topic\"]}");
            assertThat(sub.status()).isEqualTo(201);
            id = sub.text("id");
            assertThat(first.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"description\":\"v2\"}", Map.of()).status())
                    .isEqualTo(200);
            assertThat(TestRegistrar.query(db, "SELECT count(*) AS n FROM crash.outbox WHERE sent_at IS NULL"))
                    .containsExactly(Map.of("n", 3L));
        }
        try (TestRegistrar second = TestRegistrar.start(env)) {
            assertThat(second.get("/healthz", null).status()).isEqualTo(200);
            ConsumerRecord<String, String> record = KafkaRecords.awaitLatest(kafka, kafka.topicPrefix() + ".subscriptions", id,
                    r -> r.value() != null && r.value().contains("\"version\":2"));
            SubscriptionRecord sub = Json.read(record.value().getBytes(StandardCharsets.UTF_8), SubscriptionRecord.class);
            assertThat(sub.description()).isEqualTo("v2");
            await().atMost(Duration.ofSeconds(20)).until(() -> TestRegistrar.query(db,
                    "SELECT count(*) AS n FROM crash.outbox WHERE sent_at IS NULL").get(0).get("n").equals(0L));
        }
    }

    @Test
    void republishOnStartPublishesTheFullStateAgain() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_SCHEMA", "republish");
        try (TestRegistrar first = TestRegistrar.start(env)) {
            assertThat(first.post("/v1/topics", ADMIN_KEY, "{\"name\":\"republish.topic\",\"partitions\":1}")
                    .status()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> copies("republish.topic") == 1);
        env.put("HOOKLINE_REPUBLISH_ON_START", "true");
        try (TestRegistrar second = TestRegistrar.start(env)) {
            assertThat(second.get("/healthz", null).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> copies("republish.topic") == 2);
        }
    }

    private static long copies(String key) {
        return kafka.readAll(names().topicRegistry(), 1, Duration.ofSeconds(10)).stream()
                .filter(r -> key.equals(r.key())).count();
    }

    @Test
    void twoRegistrarsShareOneDatabase() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_SCHEMA", "shared");
        // Started at the same time: the migrations must serialise (Flyway's lock), not collide.
        CompletableFuture<TestRegistrar> a = CompletableFuture.supplyAsync(() -> TestRegistrar.start(env));
        CompletableFuture<TestRegistrar> b = CompletableFuture.supplyAsync(() -> TestRegistrar.start(env));
        try (TestRegistrar first = a.join(); TestRegistrar second = b.join()) {
            assertThat(first.post("/v1/topics", ADMIN_KEY, "{\"name\":\"shared.topic\",\"partitions\":1}").status())
                    .isEqualTo(201);
            Response created = second.post("/v1/subscriptions", ADMIN_KEY,
                    "{\"url\":\"http://127.0.0.1:9/shared\",\"topics\":[\"shared.topic\"]}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.text("id");
            assertThat(first.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"description\":\"from a\"}",
                    Map.of("if-match", "1")).status()).isEqualTo(200);
            assertThat(second.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"description\":\"from b\"}",
                    Map.of("if-match", "1")).status()).as("b's view is stale").isEqualTo(412);
            KafkaRecords.awaitLatest(kafka, kafka.topicPrefix() + ".subscriptions", id,
                    r -> r.value() != null && r.value().contains("from a"));
        }
    }
}
