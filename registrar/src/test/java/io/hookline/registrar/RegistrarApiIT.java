package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import io.hookline.signature.WebhookVerifier;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registrar's HTTP API end to end: real HTTP, real PostgreSQL, real Kafka topics and records. */
@WithKafka
@WithPostgres
class RegistrarApiIT {
    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;

    @BeforeAll
    static void start() {
        registrar = TestRegistrar.start(TestRegistrar.env(kafka, db));
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    private static String topicsTopic() {
        return kafka.topicPrefix() + ".topics";
    }

    private static String subscriptionsTopic() {
        return kafka.topicPrefix() + ".subscriptions";
    }

    private static String apiKeysTopic() {
        return kafka.topicPrefix() + ".api-keys";
    }

    static ConsumerRecord<String, String> awaitLatest(String topic, String key,
                                                      Predicate<ConsumerRecord<String, String>> condition) {
        return KafkaRecords.awaitLatest(kafka, topic, key, condition);
    }

    static Response createTopic(String name) {
        Response r = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"" + name + "\",\"partitions\":2}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    static Response createSubscription(String json) {
        Response r = registrar.post("/v1/subscriptions", ADMIN_KEY, json);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    @Test
    void topicCreationCreatesTheKafkaTopicStoresTheRowAndBroadcastsTheRecord() throws Exception {
        Response created = registrar.post("/v1/topics", ADMIN_KEY,
                "{\"name\":\"orders.created\",\"partitions\":3,\"description\":\"new orders\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.text("name")).isEqualTo("orders.created");
        assertThat(created.text("tenant")).isEqualTo("default");
        assertThat(created.body().get("partitions").asInt()).isEqualTo(3);
        assertThat(created.text("kafkaTopic")).isEqualTo(kafka.topicPrefix() + ".events.orders.created");
        assertThat(created.header("location")).isEqualTo("/v1/topics/orders.created");

        try (Admin admin = kafka.newAdmin()) {
            TopicDescription description = admin.describeTopics(List.of(created.text("kafkaTopic"))).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(created.text("kafkaTopic"));
            assertThat(description.partitions()).hasSize(3);
        }
        assertThat(TestRegistrar.query(db, "SELECT tenant, partitions FROM topics WHERE name = 'orders.created'"))
                .containsExactly(Map.of("tenant", "default", "partitions", 3));

        ConsumerRecord<String, String> record = awaitLatest(topicsTopic(), "orders.created", r -> r.value() != null);
        TopicRecord topic = Json.read(record.value().getBytes(StandardCharsets.UTF_8), TopicRecord.class);
        assertThat(topic.tenant()).isEqualTo("default");
        assertThat(topic.partitions()).isEqualTo(3);
        assertThat(topic.description()).isEqualTo("new orders");

        Response fetched = registrar.get("/v1/topics/orders.created", ADMIN_KEY);
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.body().get("partitions").asInt()).isEqualTo(3);
        assertThat(registrar.get("/v1/topics/no.such.topic", ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void duplicateAndKafkaCollidingTopicNamesAreConflicts() {
        createTopic("invoices.paid");
        Response duplicate = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"invoices.paid\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.text("field")).isEqualTo("name");
        Response colliding = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"invoices_paid\"}");
        assertThat(colliding.status()).isEqualTo(409);
        assertThat(colliding.text("detail")).contains("collides with existing topic 'invoices.paid'");
        assertThat(TestRegistrar.query(db, "SELECT name FROM topics WHERE name LIKE 'invoices%'")).hasSize(1);
    }

    @Test
    void topicSchemaIsValidatedStoredAndBroadcast() {
        Response bad = registrar.post("/v1/topics", ADMIN_KEY,
                "{\"name\":\"schema.bad\",\"schema\":{\"type\":\"nope\"}}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text("field")).isEqualTo("schema");
        assertThat(registrar.get("/v1/topics/schema.bad", ADMIN_KEY).status()).isEqualTo(404);

        String schema = "{\"type\":\"object\",\"required\":[\"orderId\"]}";
        Response created = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"schema.good\",\"schema\":" + schema + "}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        ConsumerRecord<String, String> record = awaitLatest(topicsTopic(), "schema.good", r -> r.value() != null);
        TopicRecord topic = Json.read(record.value().getBytes(StandardCharsets.UTF_8), TopicRecord.class);
        assertThat(topic.schema().get("required").get(0).asText()).isEqualTo("orderId");

        Response patched = registrar.patch("/v1/topics/schema.good", ADMIN_KEY,
                "{\"schema\":{\"type\":\"object\",\"required\":[\"invoiceId\"]}}", Map.of());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        awaitLatest(topicsTopic(), "schema.good", r -> r.value() != null && r.value().contains("invoiceId"));

        Response removed = registrar.patch("/v1/topics/schema.good", ADMIN_KEY, "{\"schema\":null}", Map.of());
        assertThat(removed.body().has("schema")).isFalse();
        awaitLatest(topicsTopic(), "schema.good", r -> r.value() != null && !r.value().contains("\"schema\""));
    }

    @Test
    void subscriptionCreationAnswersTheSecretOnceStoresItEncryptedAndBroadcastsTheRecord() {
        createTopic("sub.create");
        Response created = createSubscription("""
                {"url":"http://127.0.0.1:9/hook","topics":["sub.create","sub.other.*"],"description":"d",
                 "headers":{"X-Team":"billing"},"rateLimitPerSecond":5,"maxInFlight":3,"timeoutMs":2000,
                 "retrySchedule":["1s","30s"],"maxAgeSeconds":600,"ordering":"ordered","metadata":{"k":"v"}}""");
        String id = created.text("id");
        String secret = created.text("secret");
        assertThat(id).startsWith("sub_");
        assertThat(secret).startsWith("whsec_");
        assertThat(WebhookSecret.parse(secret)).isNotNull();
        assertThat(java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())))
                .as("whsec_ + base64 of 32 random bytes").hasSize(32);
        assertThat(created.text("status")).isEqualTo("active");
        assertThat(created.body().get("version").asLong()).isEqualTo(1);
        assertThat(created.header("etag")).isEqualTo("\"1\"");

        Response fetched = registrar.get("/v1/subscriptions/" + id, ADMIN_KEY);
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.body().has("secret")).isFalse();
        assertThat(fetched.raw()).doesNotContain(secret).doesNotContain("encrypted");
        assertThat(fetched.body().get("retrySchedule").toString()).isEqualTo("[\"1s\",\"30s\"]");
        assertThat(fetched.text("ordering")).isEqualTo("ordered");
        assertThat(fetched.text("description")).isEqualTo("d");
        assertThat(fetched.body().get("topics").toString()).isEqualTo("[\"sub.create\",\"sub.other.*\"]");
        assertThat(fetched.body().get("headers").get("X-Team").asText()).isEqualTo("billing");
        assertThat(fetched.body().get("rateLimitPerSecond").asDouble()).isEqualTo(5.0);
        assertThat(fetched.body().get("maxInFlight").asInt()).isEqualTo(3);
        assertThat(fetched.body().get("timeoutMs").asInt()).isEqualTo(2000);
        assertThat(fetched.body().get("maxAgeSeconds").asLong()).isEqualTo(600);
        assertThat(fetched.body().get("metadata").get("k").asText()).isEqualTo("v");

        String stored = String.valueOf(TestRegistrar.query(db, "SELECT secrets::text AS s FROM subscriptions WHERE id = '"
                + id + "'").get(0).get("s"));
        assertThat(stored).doesNotContain(secret.substring(6)).contains("v1:");

        ConsumerRecord<String, String> record = awaitLatest(subscriptionsTopic(), id, r -> r.value() != null);
        SubscriptionRecord broadcast = Json.read(record.value().getBytes(StandardCharsets.UTF_8),
                SubscriptionRecord.class);
        assertThat(record.value()).doesNotContain(secret.substring(6));
        assertThat(broadcast.secrets()).hasSize(1);
        assertThat(registrar.cipher().decrypt(broadcast.secrets().get(0).encrypted())).isEqualTo(secret);
        assertThat(broadcast.url()).isEqualTo("http://127.0.0.1:9/hook");
        assertThat(broadcast.topics()).containsExactly("sub.create", "sub.other.*");
        assertThat(broadcast.headers()).containsEntry("X-Team", "billing");
        assertThat(broadcast.rateLimitPerSecond()).isEqualTo(5.0);
        assertThat(broadcast.maxInFlight()).isEqualTo(3);
        assertThat(broadcast.timeoutMs()).isEqualTo(2000);
        assertThat(broadcast.maxAgeSeconds()).isEqualTo(600L);
        assertThat(broadcast.retrySchedule()).containsExactly("1s", "30s");
        assertThat(broadcast.ordering()).isEqualTo("ordered");
        assertThat(broadcast.description()).isEqualTo("d");
        assertThat(broadcast.status()).isEqualTo("active");
        assertThat(broadcast.metadata().get("k").asText()).isEqualTo("v");
        assertThat(broadcast.version()).isEqualTo(1);
        assertThat(broadcast.tenant()).isEqualTo("default");
    }

    @Test
    void patchWithIfMatchChangesFieldsAndRefusesStaleVersions() {
        createTopic("sub.patch");
        String id = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"sub.patch\"]}").text("id");

        Response patched = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY,
                "{\"url\":\"http://127.0.0.1:9/b\",\"timeoutMs\":3000,\"description\":\"moved\"}",
                Map.of("if-match", "\"1\""));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.body().get("version").asLong()).isEqualTo(2);
        assertThat(patched.text("url")).isEqualTo("http://127.0.0.1:9/b");
        assertThat(patched.header("etag")).isEqualTo("\"2\"");

        Response stale = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"url\":\"http://127.0.0.1:9/c\"}",
                Map.of("if-match", "\"1\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(registrar.get("/v1/subscriptions/" + id, ADMIN_KEY).text("url")).isEqualTo("http://127.0.0.1:9/b");

        Response invalid = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"timeoutMs\":-1}", Map.of());
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.text("field")).isEqualTo("timeoutMs");

        Response unchanged = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"timeoutMs\":3000}", Map.of());
        assertThat(unchanged.body().get("version").asLong()).as("no-op PATCH keeps the version").isEqualTo(2);

        ConsumerRecord<String, String> record = awaitLatest(subscriptionsTopic(), id,
                r -> r.value() != null && r.value().contains("\"version\":2"));
        SubscriptionRecord broadcast = Json.read(record.value().getBytes(StandardCharsets.UTF_8),
                SubscriptionRecord.class);
        assertThat(broadcast.url()).isEqualTo("http://127.0.0.1:9/b");
        assertThat(broadcast.timeoutMs()).isEqualTo(3000);
        assertThat(broadcast.description()).isEqualTo("moved");
    }

    @Test
    void disableAndEnableChangeTheStatusAndAreBroadcast() {
        createTopic("sub.status");
        String id = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"sub.status\"]}").text("id");
        Response disabled = registrar.post("/v1/subscriptions/" + id + "/disable", ADMIN_KEY, null);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.text("status")).isEqualTo("disabled");
        assertThat(disabled.body().get("version").asLong()).isEqualTo(2);
        awaitLatest(subscriptionsTopic(), id, r -> r.value() != null && r.value().contains("\"status\":\"disabled\""));

        Response again = registrar.post("/v1/subscriptions/" + id + "/disable", ADMIN_KEY, null);
        assertThat(again.body().get("version").asLong()).as("disabling twice is a no-op").isEqualTo(2);

        Response enabled = registrar.post("/v1/subscriptions/" + id + "/enable", ADMIN_KEY, null);
        assertThat(enabled.text("status")).isEqualTo("active");
        assertThat(enabled.body().get("version").asLong()).isEqualTo(3);
        awaitLatest(subscriptionsTopic(), id, r -> r.value() != null && r.value().contains("\"status\":\"active\""));
    }

    @Test
    void rotatedSecretAndPreviousSecretBothSignDuringTheGracePeriod() throws Exception {
        createTopic("sub.rotate");
        Response created = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"sub.rotate\"]}");
        String id = created.text("id");
        String oldSecret = created.text("secret");

        Response rotated = registrar.post("/v1/subscriptions/" + id + "/rotate-secret", ADMIN_KEY,
                "{\"graceSeconds\":3600}");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String newSecret = rotated.text("secret");
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        assertThat(rotated.body().get("version").asLong()).isEqualTo(2);
        assertThat(Instant.parse(rotated.text("previousSecretExpiresAt"))).isAfter(Instant.now().plusSeconds(3500));

        ConsumerRecord<String, String> record = awaitLatest(subscriptionsTopic(), id,
                r -> r.value() != null && r.value().contains("\"version\":2"));
        SubscriptionRecord broadcast = Json.read(record.value().getBytes(StandardCharsets.UTF_8),
                SubscriptionRecord.class);
        List<SubscriptionRecord.SigningSecret> signing = broadcast.signingSecretsAt(Instant.now());
        assertThat(signing).hasSize(2);
        SecretCipher cipher = registrar.cipher();
        List<WebhookSecret> secrets = new ArrayList<>();
        for (SubscriptionRecord.SigningSecret s : signing) {
            secrets.add(WebhookSecret.parse(cipher.decrypt(s.encrypted())));
        }
        assertThat(signing.get(0).expiresAt()).isNull();
        assertThat(secrets.get(0).toString()).isEqualTo(newSecret);
        assertThat(secrets.get(1).toString()).isEqualTo(oldSecret);

        // A dispatcher signs with every signing secret; receivers holding either secret accept the request.
        byte[] body = "{\"type\":\"sub.rotate\"}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.sign("evt_1", now, body, secrets);
        new WebhookVerifier(WebhookSecret.parse(oldSecret)).verify("evt_1", Long.toString(now), signature, body);
        new WebhookVerifier(WebhookSecret.parse(newSecret)).verify("evt_1", Long.toString(now), signature, body);

        Response immediate = registrar.post("/v1/subscriptions/" + id + "/rotate-secret", ADMIN_KEY,
                "{\"graceSeconds\":0}");
        assertThat(immediate.status()).isEqualTo(200);
        ConsumerRecord<String, String> third = awaitLatest(subscriptionsTopic(), id,
                r -> r.value() != null && r.value().contains("\"version\":3"));
        SubscriptionRecord afterImmediate = Json.read(third.value().getBytes(StandardCharsets.UTF_8),
                SubscriptionRecord.class);
        List<String> remaining = afterImmediate.signingSecretsAt(Instant.now()).stream()
                .map(s -> cipher.decrypt(s.encrypted())).toList();
        assertThat(remaining).containsExactly(immediate.text("secret"), oldSecret)
                .doesNotContain(newSecret);

        Response badGrace = registrar.post("/v1/subscriptions/" + id + "/rotate-secret", ADMIN_KEY,
                "{\"graceSeconds\":\"soon\"}");
        assertThat(badGrace.status()).isEqualTo(422);
        assertThat(badGrace.text("field")).isEqualTo("graceSeconds");
    }

    @Test
    void deletingASubscriptionPublishesATombstone() {
        createTopic("sub.delete");
        String id = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"sub.delete\"]}").text("id");
        Response stale = registrar.call("DELETE", "/v1/subscriptions/" + id, ADMIN_KEY, null, Map.of("if-match", "7"));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(registrar.delete("/v1/subscriptions/" + id, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(registrar.get("/v1/subscriptions/" + id, ADMIN_KEY).status()).isEqualTo(404);
        assertThat(registrar.delete("/v1/subscriptions/" + id, ADMIN_KEY).status()).isEqualTo(404);
        awaitLatest(subscriptionsTopic(), id, r -> r.value() == null);
        assertThat(TestRegistrar.query(db, "SELECT id FROM subscriptions WHERE id = '" + id + "'")).isEmpty();
    }

    @Test
    void listsFilterByTopicAndStatusAndPageWithCursors() {
        String tenant = "\"tenant\":\"lists\"";
        createTopicInTenant("list.c", "lists");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createSubscription("{\"url\":\"http://127.0.0.1:9/" + i + "\",\"topics\":[\"list.*\"]," + tenant
                    + "}").text("id"));
        }
        String exact = createSubscription("{\"url\":\"http://127.0.0.1:9/x\",\"topics\":[\"list.c\"]," + tenant
                + ",\"status\":\"disabled\"}").text("id");

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = registrar.get("/v1/subscriptions?tenant=lists&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.body().get("data").forEach(s -> seen.add(s.get("id").asText()));
            cursor = page.text("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<String> all = new ArrayList<>(ids);
        all.add(exact);
        assertThat(seen).containsExactlyElementsOf(all);

        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&topic=list.c", ADMIN_KEY))).containsExactlyElementsOf(all);
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&topic=list.zzz", ADMIN_KEY))).containsExactlyElementsOf(ids);
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&topic=other", ADMIN_KEY))).isEmpty();
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&topic=list.*", ADMIN_KEY))).containsExactlyElementsOf(ids);
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&status=disabled", ADMIN_KEY))).containsExactly(exact);
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=lists&status=active&topic=list.c", ADMIN_KEY)))
                .containsExactlyElementsOf(ids);

        Response badCursor = registrar.get("/v1/subscriptions?cursor=garbage", ADMIN_KEY);
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.text("field")).isEqualTo("cursor");
        assertThat(registrar.get("/v1/subscriptions?status=paused", ADMIN_KEY).text("field")).isEqualTo("status");
        assertThat(registrar.get("/v1/subscriptions?limit=1000", ADMIN_KEY).text("field")).isEqualTo("limit");
        assertThat(registrar.get("/v1/subscriptions?topic=Bad*Topic", ADMIN_KEY).text("field")).isEqualTo("topic");

        Response topicPage = registrar.get("/v1/topics?tenant=lists", ADMIN_KEY);
        assertThat(topicPage.body().get("data")).hasSize(1);
        assertThat(topicPage.body().get("data").get(0).get("name").asText()).isEqualTo("list.c");
    }

    private static void createTopicInTenant(String name, String tenant) {
        Response r = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"" + name + "\",\"partitions\":1,"
                + "\"tenant\":\"" + tenant + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static List<String> ids(Response list) {
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.body().get("data").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void topicDeletionIsRefusedWhileSubscriptionsNameItUnlessForced() throws Exception {
        createTopic("del.used");
        createTopic("del.free");
        String id = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"del.used\"]}").text("id");

        Response refused = registrar.delete("/v1/topics/del.used", ADMIN_KEY);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("detail")).contains(id).contains("force=true");
        assertThat(registrar.get("/v1/topics/del.used", ADMIN_KEY).status()).isEqualTo(200);

        assertThat(registrar.delete("/v1/topics/del.free", ADMIN_KEY).status()).isEqualTo(204);
        assertThat(registrar.delete("/v1/topics/del.used?force=true", ADMIN_KEY).status()).isEqualTo(204);
        assertThat(registrar.get("/v1/topics/del.used", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(registrar.delete("/v1/topics/del.used?force=maybe", ADMIN_KEY).status()).isEqualTo(400);
        awaitLatest(topicsTopic(), "del.used", r -> r.value() == null);
        awaitLatest(topicsTopic(), "del.free", r -> r.value() == null);
        try (Admin admin = kafka.newAdmin()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !admin.listTopics().names().get(10, TimeUnit.SECONDS)
                    .contains(kafka.topicPrefix() + ".events.del.used"));
        }
        // The subscription keeps its pattern; unrelated changes still work.
        Response patched = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY, "{\"description\":\"x\"}", Map.of());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    }

    @Test
    void apiKeysAreShownOnceStoredHashedBroadcastAndRevocable() {
        Response created = registrar.post("/v1/api-keys", ADMIN_KEY,
                "{\"tenant\":\"acme\",\"scopes\":[\"manage\",\"publish\"],\"description\":\"ci\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.text("id");
        String key = created.text("key");
        assertThat(id).startsWith("key_");
        assertThat(key).startsWith(ApiKeys.PREFIX);

        Response listed = registrar.get("/v1/api-keys?tenant=acme", ADMIN_KEY);
        assertThat(listed.raw()).contains(id).doesNotContain(key);
        assertThat(registrar.get("/v1/api-keys/" + id, ADMIN_KEY).raw()).doesNotContain(key);
        assertThat(TestRegistrar.query(db, "SELECT key_hash FROM api_keys WHERE id = '" + id + "'"))
                .containsExactly(Map.of("key_hash", ApiKeys.hash(key)));

        ConsumerRecord<String, String> record = awaitLatest(apiKeysTopic(), id, r -> r.value() != null);
        assertThat(record.value()).doesNotContain(key);
        ApiKeyRecord broadcast = Json.read(record.value().getBytes(StandardCharsets.UTF_8), ApiKeyRecord.class);
        assertThat(broadcast.keyHash()).isEqualTo(ApiKeys.hash(key));
        assertThat(broadcast.scopes()).isEqualTo(Set.of("manage", "publish"));
        assertThat(broadcast.tenant()).isEqualTo("acme");

        // The key works at once, in its own tenant only, and cannot manage keys.
        Response topic = registrar.post("/v1/topics", key, "{\"name\":\"acme.orders\"}");
        assertThat(topic.status()).as(topic.toString()).isEqualTo(201);
        assertThat(topic.text("tenant")).isEqualTo("acme");
        assertThat(registrar.post("/v1/api-keys", key, "{\"scopes\":[\"manage\"]}").status()).isEqualTo(403);
        assertThat(registrar.get("/v1/api-keys", key).status()).isEqualTo(403);

        Response publishOnly = registrar.post("/v1/api-keys", ADMIN_KEY, "{\"tenant\":\"acme\",\"scopes\":[\"publish\"]}");
        assertThat(registrar.get("/v1/topics", publishOnly.text("key")).status()).isEqualTo(403);
        Response replayOnly = registrar.post("/v1/api-keys", ADMIN_KEY, "{\"tenant\":\"acme\",\"scopes\":[\"replay\"]}");
        assertThat(replayOnly.status()).as(replayOnly.toString()).isEqualTo(201);
        assertThat(registrar.get("/v1/topics", replayOnly.text("key")).status()).isEqualTo(403);
        ApiKeyRecord replayRecord = Json.read(awaitLatest(apiKeysTopic(), replayOnly.text("id"), r -> r.value() != null)
                .value().getBytes(StandardCharsets.UTF_8), ApiKeyRecord.class);
        assertThat(replayRecord.scopes()).containsExactly("replay");

        assertThat(registrar.delete("/v1/api-keys/" + id, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(registrar.get("/v1/topics", key).status()).isEqualTo(401);
        awaitLatest(apiKeysTopic(), id, r -> r.value() == null);
        assertThat(registrar.delete("/v1/api-keys/" + id, ADMIN_KEY).status()).isEqualTo(404);

        Response badScope = registrar.post("/v1/api-keys", ADMIN_KEY, "{\"scopes\":[\"manage\",\"root\"]}");
        assertThat(badScope.status()).isEqualTo(422);
        assertThat(badScope.text("field")).isEqualTo("scopes[1]");
        assertThat(registrar.post("/v1/api-keys", ADMIN_KEY, "{\"tenant\":\"acme\"}").text("field")).isEqualTo("scopes");
    }

    @Test
    void badRequestsGetProblemDocumentsNamingTheField() {
        createTopic("bad.input");
        String valid = "\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"bad.input\"]";
        assertProblem(registrar.post("/v1/subscriptions", ADMIN_KEY, "{" + valid + ",\"colour\":1}"), 422, "colour");
        assertProblem(registrar.post("/v1/subscriptions", ADMIN_KEY, "{\"url\":\"ftp://x/y\",\"topics\":[\"bad.input\"]}"),
                422, "url");
        assertProblem(registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"bad.input\",\"no.such.topic\"]}"), 422, "topics[1]");
        assertProblem(registrar.post("/v1/subscriptions", ADMIN_KEY, "{" + valid + ",\"maxInFlight\":\"3\"}"), 422,
                "maxInFlight");
        assertProblem(registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"Has Spaces\"}"), 422, "name");
        assertProblem(registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"p.many\",\"partitions\":0}"), 422,
                "partitions");
        assertProblem(registrar.post("/v1/topics", ADMIN_KEY, "{}"), 422, "name");

        Response privateDestination = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://10.1.2.3/hook\",\"topics\":[\"bad.input\"]}");
        assertProblem(privateDestination, 422, "url");
        assertThat(privateDestination.text("detail")).contains("private address");
        Response metadata = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://169.254.169.254/latest\",\"topics\":[\"bad.input\"]}");
        assertThat(metadata.text("detail")).contains("metadata");
        Response octal = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://0177.0.0.1/\",\"topics\":[\"bad.input\"]}");
        assertProblem(octal, 422, "url");
        Response patchToPrivate = registrar.patch("/v1/subscriptions/" + createSubscription("{" + valid + "}").text("id"),
                ADMIN_KEY, "{\"url\":\"http://192.168.1.1/\"}", Map.of());
        assertProblem(patchToPrivate, 422, "url");

        Response malformed = registrar.post("/v1/subscriptions", ADMIN_KEY, "{\"url\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("content-type")).isEqualTo("application/problem+json");
        Response notJson = registrar.call("POST", "/v1/topics", ADMIN_KEY, null,
                Map.of("content-type", "text/plain"));
        assertThat(notJson.status()).isEqualTo(415);
        assertThat(registrar.post("/v1/topics", null, "{\"name\":\"x\"}").status()).isEqualTo(401);
        assertThat(registrar.post("/v1/topics", "hk_wrong", "{\"name\":\"x\"}").status()).isEqualTo(401);
        Response huge = registrar.post("/v1/topics", ADMIN_KEY,
                "{\"name\":\"huge\",\"description\":\"" + "x".repeat(300_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(TestRegistrar.query(db, "SELECT count(*) AS n FROM topics WHERE name IN ('huge','p.many')"))
                .containsExactly(Map.of("n", 0L));
    }

    private static void assertProblem(Response response, int status, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("content-type")).isEqualTo("application/problem+json");
        JsonNode body = response.body();
        assertThat(body.get("field").asText()).as(response.toString()).isEqualTo(field);
        assertThat(body.get("detail").asText()).startsWith(field + ": ");
    }

    @Test
    void adminCanRepublishTheFullState() {
        createTopic("republish.me");
        Response forbidden = registrar.post("/v1/admin/republish",
                registrar.post("/v1/api-keys", ADMIN_KEY, "{\"scopes\":[\"manage\"]}").text("key"), null);
        assertThat(forbidden.status()).isEqualTo(403);
        int before = (int) kafka.readAll(topicsTopic(), 1, Duration.ofSeconds(10)).stream()
                .filter(r -> "republish.me".equals(r.key())).count();
        Response republished = registrar.post("/v1/admin/republish", ADMIN_KEY, null);
        assertThat(republished.status()).isEqualTo(202);
        assertThat(republished.body().get("topics").asInt()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.readAll(topicsTopic(), 1, Duration.ofSeconds(10))
                .stream().filter(r -> "republish.me".equals(r.key())).count() > before);
    }

    @Test
    void aTestEventIsPublishedAsADeliveryTaskForTheSubscription() {
        createTopic("sub.test");
        String id = createSubscription("{\"url\":\"http://127.0.0.1:9/a\",\"topics\":[\"sub.test\"]}").text("id");
        Response sent = registrar.post("/v1/subscriptions/" + id + "/test", ADMIN_KEY, "{\"payload\":{\"ping\":1}}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        String eventId = sent.text("id");
        assertThat(eventId).startsWith("evt_");

        ConsumerRecord<String, String> record = awaitLatest(kafka.topicPrefix() + ".deliveries", id,
                r -> r.value() != null && r.value().contains(eventId));
        DeliveryTask task = Json.read(record.value().getBytes(StandardCharsets.UTF_8), DeliveryTask.class);
        assertThat(task.subscriptionId()).isEqualTo(id);
        assertThat(task.attempt()).isEqualTo(1);
        assertThat(task.event().id()).isEqualTo(eventId);
        assertThat(task.event().topic()).isEqualTo("hookline.test");
        assertThat(task.event().tenant()).isEqualTo("default");
        assertThat(task.event().payload().get("ping").asInt()).isEqualTo(1);

        assertThat(registrar.post("/v1/subscriptions/" + id + "/disable", ADMIN_KEY, null).status()).isEqualTo(200);
        assertThat(registrar.post("/v1/subscriptions/" + id + "/test", ADMIN_KEY, null).status()).isEqualTo(409);
        assertThat(registrar.post("/v1/subscriptions/sub_00000000000000000000000000/test", ADMIN_KEY, null).status())
                .isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheServedRoutes() {
        Response doc = registrar.get("/openapi.json", null);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.text("openapi")).isEqualTo("3.1.0");
        Set<String> documented = new java.util.TreeSet<>();
        doc.body().get("paths").properties().forEach(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey())));
        assertThat(documented).isEqualTo(new java.util.TreeSet<>(registrar.service.endpoints()));

        // Every reference points into the document.
        List<String> refs = new ArrayList<>();
        collectRefs(doc.body(), refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(doc.body().at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    @Test
    void operationalEndpointsAnswer() {
        assertThat(registrar.get("/healthz", null).status()).isEqualTo(200);
        Response ready = registrar.get("/readyz", null);
        assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        Response metrics = registrar.call("GET", "/metrics", null, null, Map.of());
        assertThat(metrics.status()).isEqualTo(200);
    }
}
