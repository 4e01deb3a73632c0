package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.http.RequestFields;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.registrar.api.SubscriptionFields;
import io.hookline.registrar.api.SubscriptionSettings;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Throws thousands of random and mutated requests at the API (seeded: {@code -Dfuzz.seed=} replays a run) and
 * checks that none is answered with a 5xx, every error is a problem document, and the state left behind is
 * consistent: every stored subscription is still valid, decryptable, and what Kafka holds for it; every stored
 * topic has its Kafka topic and its record; every API key its record; and whatever was deleted ends on a tombstone.
 */
@WithKafka
@WithPostgres
class RegistrarFuzzIT {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3000);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;

    private final long seed = Long.getLong("fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<String> subscriptionIds = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<Integer, Integer> statuses = new java.util.TreeMap<>();

    @BeforeAll
    static void start() {
        registrar = TestRegistrar.start(TestRegistrar.env(kafka, db));
        for (String topic : List.of("fuzz.a", "fuzz.b")) {
            assertThat(registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"" + topic + "\",\"partitions\":1}")
                    .status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    @Test
    void randomAndMutatedRequestsNeverCauseA5xxOrCorruptState() {
        System.out.println("RegistrarFuzzIT seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        for (int i = 0; i < 20; i++) {
            Response r = registrar.post("/v1/subscriptions", ADMIN_KEY, validSubscription().toString());
            subscriptionIds.add(r.text("id"));
        }
        for (int i = 0; i < REQUESTS; i++) {
            fire(i);
        }
        System.out.println("RegistrarFuzzIT statuses " + statuses);
        assertThat(failures).as("seed " + seed + ": requests answered badly").isEmpty();
        // The mutations must exercise the success paths too, not only rejections.
        assertThat(statuses.keySet()).contains(200, 201, 202, 204, 400, 404, 422);
        checkState();
    }

    private void fire(int n) {
        String id = pick(subscriptionIds);
        int kind = random.nextInt(12);
        Response r;
        String description;
        switch (kind) {
            case 0, 1, 2 -> {
                String body = mutate(validSubscription());
                description = "POST /v1/subscriptions " + body;
                r = registrar.post("/v1/subscriptions", ADMIN_KEY, body);
                if (r.status() == 201) {
                    subscriptionIds.add(r.text("id"));
                }
            }
            case 3, 4, 5 -> {
                String body = mutate(validPatch());
                Map<String, String> headers = random.nextInt(4) == 0
                        ? Map.of("if-match", randomIfMatch()) : Map.of();
                description = "PATCH /v1/subscriptions/" + id + " " + headers + " " + body;
                r = registrar.patch("/v1/subscriptions/" + id, ADMIN_KEY, body, headers);
            }
            case 6 -> {
                String body = mutate(validTopic());
                description = "POST /v1/topics " + body;
                r = registrar.post("/v1/topics", ADMIN_KEY, body);
            }
            case 7 -> {
                String body = random.nextBoolean() ? mutate(NODES.objectNode().put("graceSeconds", random.nextInt(100)))
                        : null;
                description = "POST rotate-secret " + body;
                r = registrar.post("/v1/subscriptions/" + id + "/rotate-secret", ADMIN_KEY, body);
            }
            case 8 -> {
                String query = randomQuery();
                description = "GET /v1/subscriptions?" + query;
                r = registrar.get("/v1/subscriptions?" + query, ADMIN_KEY);
            }
            case 9 -> {
                String path = randomPath(id);
                String method = pick(List.of("GET", "POST", "PATCH", "DELETE", "PUT"));
                String body = random.nextBoolean() ? mutate(validSubscription()) : null;
                description = method + " " + path + " " + body;
                r = registrar.call(method, path, ADMIN_KEY, body, Map.of());
            }
            case 10 -> {
                String body = mutate(NODES.objectNode().put("tenant", "fuzz").set("scopes",
                        NODES.arrayNode().add("manage")));
                description = "POST /v1/api-keys " + body;
                r = registrar.post("/v1/api-keys", ADMIN_KEY, body);
            }
            default -> {
                String action = pick(List.of("enable", "disable", "test"));
                description = "POST " + action + " " + id;
                r = registrar.post("/v1/subscriptions/" + id + "/" + action, ADMIN_KEY, null);
            }
        }
        statuses.merge(r.status(), 1, Integer::sum);
        if (r.status() >= 500) {
            failures.add("#" + n + " " + truncate(description) + " -> " + truncate(r.toString()));
        } else if (r.status() >= 400 && !"application/problem+json".equals(r.header("content-type"))) {
            failures.add("#" + n + " " + truncate(description) + " -> not a problem document: " + truncate(r.toString()));
        }
    }

    /** Every subscription left is valid, decryptable and equal (by version) to its latest record on Kafka. */
    private void checkState() {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            Response page = registrar.get("/v1/subscriptions?limit=200" + (cursor == null ? "" : "&cursor=" + cursor),
                    ADMIN_KEY);
            assertThat(page.status()).isEqualTo(200);
            page.body().get("data").forEach(all::add);
            cursor = page.text("nextCursor");
        } while (cursor != null);
        assertThat(all).isNotEmpty();

        Map<String, Long> versions = new HashMap<>();
        for (JsonNode view : all) {
            ObjectNode settings = NODES.objectNode();
            for (Iterator<String> it = view.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (SubscriptionFields.CREATE.contains(name)) {
                    settings.set(name, view.get(name));
                }
            }
            // Re-validating what is stored must pass: nothing invalid got in.
            SubscriptionFields.apply(SubscriptionSettings.NEW, RequestFields.of(settings, SubscriptionFields.CREATE));
            versions.put(view.get("id").asText(), view.get("version").asLong());
        }

        SecretCipher cipher = registrar.cipher();
        for (Map<String, Object> row : TestRegistrar.query(db, "SELECT id, secrets::text AS s FROM subscriptions")) {
            List<SubscriptionRecord.SigningSecret> secrets;
            try {
                secrets = Json.MAPPER.readValue(String.valueOf(row.get("s")), new TypeReference<>() {
                });
            } catch (java.io.IOException e) {
                throw new AssertionError("unreadable secrets of " + row.get("id"), e);
            }
            assertThat(secrets).isNotEmpty();
            secrets.forEach(s -> assertThat(cipher.decrypt(s.encrypted())).startsWith("whsec_"));
        }

        await("outbox drained").atMost(Duration.ofSeconds(60)).until(() -> TestRegistrar.query(db,
                "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL").get(0).get("n").equals(0L));
        Map<String, String> latest = new HashMap<>();
        await("Kafka holds every subscription's current version").atMost(Duration.ofSeconds(30)).until(() -> {
            latest.clear();
            latest.putAll(KafkaRecords.latest(kafka, kafka.topicPrefix() + ".subscriptions"));
            return versions.entrySet().stream().allMatch(e -> latest.get(e.getKey()) != null
                    && Json.read(latest.get(e.getKey()).getBytes(StandardCharsets.UTF_8), SubscriptionRecord.class)
                    .version() == e.getValue());
        });
        // Deleted subscriptions end on a tombstone.
        latest.forEach((key, value) -> {
            if (!versions.containsKey(key)) {
                assertThat(value).as("record of deleted " + key).isNull();
            }
        });
        // A read may stop before the end of a topic: what it missed is read again, a real mismatch stays.
        await("topics consistent").atMost(Duration.ofSeconds(30)).untilAsserted(this::checkTopics);
        await("API keys consistent").atMost(Duration.ofSeconds(30)).untilAsserted(this::checkApiKeys);
    }

    /** No partial topic writes: each stored topic has its events topic and its record, each deleted one a tombstone. */
    private void checkTopics() {
        Map<String, Map<String, Object>> stored = new HashMap<>();
        for (Map<String, Object> row : TestRegistrar.query(db, "SELECT name, tenant, partitions FROM topics")) {
            stored.put((String) row.get("name"), row);
        }
        assertThat(stored).isNotEmpty();
        Set<String> kafkaTopics;
        try (Admin admin = kafka.newAdmin()) {
            kafkaTopics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot list the Kafka topics", e);
        }
        for (String name : stored.keySet()) {
            assertThat(kafkaTopics).as("events topic of stored topic " + name)
                    .contains(kafka.topicPrefix() + ".events." + name);
        }
        Map<String, String> records = KafkaRecords.latest(kafka, kafka.topicPrefix() + ".topics");
        stored.forEach((name, row) -> {
            assertThat(records.get(name)).as("record of stored topic " + name).isNotNull();
            TopicRecord record = Json.read(records.get(name).getBytes(StandardCharsets.UTF_8), TopicRecord.class);
            assertThat(record.tenant()).as(name).isEqualTo(row.get("tenant"));
            assertThat(record.partitions()).as(name).isEqualTo(row.get("partitions"));
        });
        records.forEach((name, value) -> {
            if (!stored.containsKey(name)) {
                assertThat(value).as("record of deleted topic " + name).isNull();
            }
        });
    }

    /** Each stored API key is on Kafka with its hash, tenant and scopes; each deleted one ends on a tombstone. */
    private void checkApiKeys() {
        Map<String, String> records = KafkaRecords.latest(kafka, kafka.topicPrefix() + ".api-keys");
        Set<String> stored = new HashSet<>();
        for (Map<String, Object> row : TestRegistrar.query(db, "SELECT id, tenant, key_hash FROM api_keys")) {
            String id = (String) row.get("id");
            stored.add(id);
            assertThat(records.get(id)).as("record of stored key " + id).isNotNull();
            ApiKeyRecord record = Json.read(records.get(id).getBytes(StandardCharsets.UTF_8), ApiKeyRecord.class);
            assertThat(record.keyHash()).as(id).isEqualTo(row.get("key_hash"));
            assertThat(record.tenant()).as(id).isEqualTo(row.get("tenant"));
            assertThat(record.scopes()).as(id).isNotEmpty();
        }
        records.forEach((id, value) -> {
            if (!stored.contains(id)) {
                assertThat(value).as("record of deleted key " + id).isNull();
            }
        });
    }

    // ---- generators

    private ObjectNode validSubscription() {
        ObjectNode body = NODES.objectNode();
        body.put("url", "http://127.0.0.1:" + (1 + random.nextInt(65000)) + "/h" + random.nextInt(100));
        ArrayNode topics = body.putArray("topics");
        topics.add(pick(List.of("fuzz.a", "fuzz.b", "fuzz.*", "*", "other.*")));
        if (random.nextBoolean()) {
            body.put("description", randomString(20));
        }
        if (random.nextBoolean()) {
            body.putObject("headers").put("X-Fuzz", "v" + random.nextInt(10));
        }
        if (random.nextBoolean()) {
            body.put("rateLimitPerSecond", 1 + random.nextInt(100));
        }
        if (random.nextBoolean()) {
            body.put("timeoutMs", 100 + random.nextInt(10_000));
        }
        if (random.nextBoolean()) {
            body.putArray("retrySchedule").add("1s").add("5m");
        }
        if (random.nextBoolean()) {
            body.put("ordering", random.nextBoolean() ? "ordered" : "unordered");
        }
        if (random.nextBoolean()) {
            body.putObject("metadata").put("k", randomString(5));
        }
        return body;
    }

    private ObjectNode validPatch() {
        ObjectNode full = validSubscription();
        ObjectNode patch = NODES.objectNode();
        full.properties().forEach(e -> {
            if (random.nextInt(3) == 0) {
                patch.set(e.getKey(), e.getValue());
            }
        });
        return patch;
    }

    private ObjectNode validTopic() {
        ObjectNode body = NODES.objectNode().put("name", "fz." + random.nextInt(30)).put("partitions", 1);
        if (random.nextInt(3) == 0) {
            body.putObject("schema").put("type", pick(List.of("object", "array", "string", "nope")));
        }
        return body;
    }

    /** The body with one to three mutations, serialised; sometimes broken as text. */
    private String mutate(ObjectNode body) {
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            List<String> names = new ArrayList<>();
            body.fieldNames().forEachRemaining(names::add);
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (!names.isEmpty()) {
                        body.remove(pick(names));
                    }
                }
                case 1 -> {
                    if (!names.isEmpty()) {
                        body.set(pick(names), randomValue(0));
                    }
                }
                case 2 -> body.set(randomString(6), randomValue(0));
                case 3 -> body.set(pick(List.of("url", "topics", "headers", "retrySchedule", "metadata", "name",
                        "schema", "tenant", "scopes", "status", "maxInFlight", "maxAgeSeconds")), randomValue(0));
                case 4 -> body.put(pick(List.of("url", "description", "name")), randomString(random.nextInt(3000)));
                case 5 -> body.putArray("topics").add(randomString(random.nextInt(300)));
                default -> {
                    // leave as is
                }
            }
        }
        String text = body.toString();
        return switch (random.nextInt(10)) {
            case 0 -> text.substring(0, random.nextInt(Math.max(1, text.length())));
            case 1 -> "[" + text + "]";
            case 2 -> text + "}";
            case 3 -> "{".repeat(1 + random.nextInt(2000));
            case 4 -> "\"" + randomString(10) + "\"";
            default -> text;
        };
    }

    private JsonNode randomValue(int depth) {
        return switch (random.nextInt(depth > 3 ? 7 : 9)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextLong());
            case 3 -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 4 -> NODES.textNode(randomString(random.nextInt(50)));
            case 5 -> NODES.numberNode(new java.math.BigInteger(100, random));
            case 6 -> NODES.textNode(pick(List.of("", " ", "1s", "fuzz.a", "*", "active", "ordered", "\u0000",
                    "http://10.0.0.1/", "https://127.0.0.1:1/x", "http://[::1]/", "a".repeat(70_000))));
            case 7 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(randomString(5), randomValue(depth + 1));
                }
                yield object;
            }
        };
    }

    private String randomString(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(switch (random.nextInt(10)) {
                case 0 -> (char) random.nextInt(0x20);
                case 1 -> (char) (0x80 + random.nextInt(0x700));
                case 2 -> "\uD83D\uDE00";
                case 3 -> pick(List.of("\"", "\\", "'", "%", "/", "*", ".", "{", "\u2028", "\uFFFF"));
                default -> (char) ('a' + random.nextInt(26));
            });
        }
        return out.toString();
    }

    private String randomQuery() {
        List<String> parts = new ArrayList<>();
        for (String name : List.of("limit", "cursor", "topic", "status", "tenant")) {
            if (random.nextBoolean()) {
                String value = pick(List.of(randomString(random.nextInt(20)), "0", "-5", "200", "1", "fuzz.*",
                        "fuzz.a", "active", "disabled", "default", "Yzp4", "%", "\u0000"));
                parts.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return String.join("&", parts);
    }

    private String randomPath(String id) {
        String garbage = URLEncoder.encode(randomString(1 + random.nextInt(30)), StandardCharsets.UTF_8);
        return pick(List.of(
                "/v1/subscriptions/" + garbage,
                "/v1/subscriptions/" + id + "/" + garbage,
                "/v1/topics/" + garbage,
                "/v1/topics/fuzz.a",
                "/v1/api-keys/" + garbage,
                "/v1/" + garbage,
                "/v1/subscriptions/%00",
                "/v1/topics/%00",
                "/v1/subscriptions/" + id));
    }

    private String randomIfMatch() {
        return pick(List.of("\"1\"", "2", "W/\"3\"", "*", "abc", "\"99999999999999999999\"", ""));
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String truncate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
