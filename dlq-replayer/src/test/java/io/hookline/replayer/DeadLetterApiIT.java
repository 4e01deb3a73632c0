package io.hookline.replayer;

import static io.hookline.replayer.TestReplayer.ADMIN_KEY;
import static io.hookline.replayer.TestReplayer.letter;
import static io.hookline.replayer.TestReplayer.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.PostgresExtension;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dead-letter index and API on one replayer: indexing, filters, pagination, tenants, discard, replay one. */
@ExtendWith({KafkaExtension.class, PostgresExtension.class})
class DeadLetterApiIT {
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    private static TestReplayer replayer;
    private static TestKafka kafka;

    @BeforeAll
    static void start(TestKafka k, TestDatabase db) {
        kafka = k;
        replayer = TestReplayer.start(TestReplayer.env(k, db));
    }

    @AfterAll
    static void stop() {
        if (replayer != null) {
            replayer.close();
        }
    }

    private static List<JsonNode> list(String query, String key) throws Exception {
        TestReplayer.Response r = replayer.get("/v1/dead-letters?" + query, key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.body().get("data").forEach(out::add);
        return out;
    }

    private static List<String> ids(List<JsonNode> rows) {
        return rows.stream().map(n -> n.get("id").asText()).toList();
    }

    private static void awaitIndexed(String query, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(list(query, ADMIN_KEY)).hasSize(count));
    }

    @Test
    void lettersAppearInTheIndexOnceEvenWhenTheTopicRepeatsThem() throws Exception {
        DeadLetter a = letter("dl_idx_a", "default", "sub_idx", "orders.created", DeadLetter.EXHAUSTED, 500, T0);
        DeadLetter b = letter("dl_idx_b", "default", "sub_idx", "orders.created", DeadLetter.GONE, 410, T0);
        produce(kafka, a);
        produce(kafka, a);
        produce(kafka, b);
        produce(kafka, a);
        kafka.send(new TopicNames(kafka.topicPrefix()).dlq(), "sub_idx", "{not a dead letter");
        DeadLetter sentinel = letter("dl_idx_z", "default", "sub_idx", "orders.created", DeadLetter.EXHAUSTED, 500, T0);
        produce(kafka, sentinel); // after the duplicates on the same partition (same key)
        awaitIndexed("subscription=sub_idx", 3);
        assertThat(ids(list("subscription=sub_idx", ADMIN_KEY))).containsExactly("dl_idx_a", "dl_idx_b", "dl_idx_z");

        TestReplayer.Response one = replayer.get("/v1/dead-letters/dl_idx_a", ADMIN_KEY);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.text("state")).isEqualTo("dead");
        assertThat(one.text("tenant")).isEqualTo("default");
        assertThat(one.text("eventId")).isEqualTo("evt_dl_idx_a");
        assertThat(one.text("reason")).isEqualTo("exhausted");
        assertThat(one.body().get("lastStatus").asInt()).isEqualTo(500);
        assertThat(one.body().get("attemptCount").asInt()).isEqualTo(3);
        assertThat(one.body().get("payload").get("letter").asText()).isEqualTo("dl_idx_a");
        assertThat(one.body().get("attempts")).hasSize(3);
        assertThat(one.body().get("attempts").get(1).get("statusCode").asInt()).isEqualTo(502);
        assertThat(one.body().get("attempts").get(2).get("latencyMs").asLong()).isEqualTo(30);
    }

    @Test
    void listFiltersAndPaginates() throws Exception {
        for (int i = 0; i < 7; i++) {
            String reason = i % 2 == 0 ? DeadLetter.EXHAUSTED : DeadLetter.PERMANENT;
            produce(kafka, letter("dl_list_" + i, "default", "sub_list", i < 5 ? "orders.paid" : "invoices.sent",
                    reason, i == 3 ? null : 500 + i, T0.plusSeconds(60L * i)));
        }
        awaitIndexed("subscription=sub_list", 7);
        assertThat(ids(list("subscription=sub_list&reason=permanent", ADMIN_KEY)))
                .containsExactly("dl_list_1", "dl_list_3", "dl_list_5");
        assertThat(ids(list("subscription=sub_list&status=502", ADMIN_KEY))).containsExactly("dl_list_2");
        assertThat(ids(list("subscription=sub_list&topic=invoices.sent", ADMIN_KEY)))
                .containsExactly("dl_list_5", "dl_list_6");
        assertThat(ids(list("subscription=sub_list&since=" + T0.plusSeconds(120) + "&until=" + T0.plusSeconds(240),
                ADMIN_KEY))).containsExactly("dl_list_2", "dl_list_3");
        assertThat(list("subscription=sub_list&state=discarded", ADMIN_KEY)).isEmpty();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TestReplayer.Response page = replayer.get("/v1/dead-letters?subscription=sub_list&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
            assertThat(page.status()).isEqualTo(200);
            page.body().get("data").forEach(n -> seen.add(n.get("id").asText()));
            cursor = page.text("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("dl_list_0", "dl_list_1", "dl_list_2", "dl_list_3", "dl_list_4",
                "dl_list_5", "dl_list_6");
    }

    @Test
    void badFiltersAndUnknownIdsAreClearClientErrors() throws Exception {
        Map<String, String> bad = Map.of(
                "status=abc", "status", "status=99", "status", "reason=tired", "reason",
                "since=yesterday", "since", "until=2026-13-01", "until", "limit=0", "limit",
                "cursor=nonsense", "cursor", "state=zombie", "state", "topic=Bad%20Topic", "topic",
                "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            TestReplayer.Response r = replayer.get("/v1/dead-letters?" + e.getKey(), ADMIN_KEY);
            assertThat(r.status()).as(e.getKey() + " → " + r).isEqualTo(400);
            assertThat(r.text("detail")).as(e.getKey()).startsWith(e.getValue() + ":");
        }
        assertThat(replayer.get("/v1/dead-letters/dl_nope", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(replayer.call("DELETE", "/v1/dead-letters/dl_nope", ADMIN_KEY, null).status()).isEqualTo(404);
        assertThat(replayer.post("/v1/dead-letters/dl_nope/replay", ADMIN_KEY, null).status()).isEqualTo(404);
        assertThat(replayer.get("/v1/dead-letters", null).status()).isEqualTo(401);
        assertThat(replayer.get("/v1/dead-letters", "hk_wrong").status()).isEqualTo(401);
    }

    @Test
    void tenantsSeeAndTouchOnlyTheirOwnLetters() throws Exception {
        String acme = TestReplayer.tenantKey(kafka, "acme", "replay");
        String globex = TestReplayer.tenantKey(kafka, "globex", "replay");
        String publisher = TestReplayer.tenantKey(kafka, "acme", "publish");
        produce(kafka, letter("dl_ten_acme", "acme", "sub_ten_a", "orders.tenanted", DeadLetter.EXHAUSTED, 500, T0));
        produce(kafka, letter("dl_ten_globex", "globex", "sub_ten_g", "orders.tenanted", DeadLetter.EXHAUSTED, 500, T0));
        awaitIndexed("topic=orders.tenanted", 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> replayer.get("/v1/dead-letters", acme).status() == 200);

        assertThat(ids(list("", acme))).containsExactly("dl_ten_acme");
        assertThat(ids(list("", globex))).containsExactly("dl_ten_globex");
        assertThat(replayer.get("/v1/dead-letters?tenant=globex", acme).status()).isEqualTo(403);
        assertThat(ids(list("tenant=globex&topic=orders.tenanted", ADMIN_KEY))).containsExactly("dl_ten_globex");
        assertThat(replayer.get("/v1/dead-letters/dl_ten_globex", acme).status()).isEqualTo(404);
        assertThat(replayer.call("DELETE", "/v1/dead-letters/dl_ten_globex", acme, null).status()).isEqualTo(404);
        assertThat(replayer.post("/v1/dead-letters/dl_ten_globex/replay", acme, null).status()).isEqualTo(404);
        assertThat(replayer.get("/v1/dead-letters/dl_ten_acme", acme).status()).isEqualTo(200);
        assertThat(replayer.get("/v1/dead-letters", publisher).status()).isEqualTo(403);

        // A job of one tenant takes only that tenant's letters, and the other tenant cannot see the job.
        TestReplayer.subscription(kafka, "sub_ten_g", "globex", "disabled");
        TestReplayer.Response job = replayer.post("/v1/replays", acme, Map.of("filter", Map.of("topic", "orders.tenanted")));
        assertThat(job.status()).as(job.toString()).isEqualTo(202);
        assertThat(job.body().get("total").asInt()).isEqualTo(1);
        assertThat(replayer.get("/v1/replays/" + job.text("id"), globex).status()).isEqualTo(404);
        assertThat(replayer.get("/v1/replays/" + job.text("id"), acme).status()).isEqualTo(200);
        assertThat(replayer.post("/v1/replays/" + job.text("id") + "/cancel", globex, null).status()).isEqualTo(404);
        assertThat(replayer.get("/v1/dead-letters/dl_ten_globex", ADMIN_KEY).text("state")).isEqualTo("dead");
    }

    @Test
    void discardIsAuditedAndADiscardedLetterCannotBeReplayed() throws Exception {
        String acme = TestReplayer.tenantKey(kafka, "acme", "replay", "manage");
        produce(kafka, letter("dl_disc", "acme", "sub_disc", "orders.void", DeadLetter.PERMANENT, 400, T0));
        awaitIndexed("subscription=sub_disc", 1);
        TestReplayer.subscription(kafka, "sub_disc", "acme", "active");
        await().atMost(Duration.ofSeconds(30)).until(() -> replayer.get("/v1/dead-letters", acme).status() == 200);

        assertThat(replayer.call("DELETE", "/v1/dead-letters/dl_disc", acme, null).status()).isEqualTo(204);
        TestReplayer.Response after = replayer.get("/v1/dead-letters/dl_disc", ADMIN_KEY);
        assertThat(after.text("state")).isEqualTo("discarded");
        assertThat(after.text("discardedBy")).contains("key_acme_replay_manage").contains("acme");
        assertThat(Instant.parse(after.text("discardedAt"))).isAfter(Instant.now().minusSeconds(60));
        JsonNode audit = after.body().get("audit");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("action").asText()).isEqualTo("discard");
        assertThat(audit.get(0).get("actor").asText()).contains("key_acme_replay_manage");

        TestReplayer.Response replay = replayer.post("/v1/dead-letters/dl_disc/replay", acme, null);
        assertThat(replay.status()).isEqualTo(409);
        assertThat(replay.text("detail")).contains("discarded");
        assertThat(replayer.call("DELETE", "/v1/dead-letters/dl_disc", acme, null).status()).isEqualTo(204);
        assertThat(replayer.get("/v1/dead-letters/dl_disc", ADMIN_KEY).body().get("audit")).hasSize(1);
        assertThat(ids(list("subscription=sub_disc&state=discarded", ADMIN_KEY))).containsExactly("dl_disc");
    }

    @Test
    void replayingOneLetterWritesAFreshTaskToTheDeliveriesTopic() throws Exception {
        TestReplayer.subscription(kafka, "sub_one", "default", "active");
        produce(kafka, letter("dl_one", "default", "sub_one", "orders.shipped", DeadLetter.EXHAUSTED, 503, T0));
        produce(kafka, letter("dl_one_gone", "default", "sub_one_gone", "orders.shipped", DeadLetter.GONE, 410, T0));
        awaitIndexed("topic=orders.shipped", 2);

        TestReplayer.Response r = await().atMost(Duration.ofSeconds(30))
                .until(() -> replayer.post("/v1/dead-letters/dl_one/replay", ADMIN_KEY, null),
                        resp -> resp.status() != 409 || !resp.text("detail").contains("no longer exists"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("state")).isEqualTo("replayed");
        assertThat(r.text("replayJob")).isNotNull();

        String deliveries = new TopicNames(kafka.topicPrefix()).deliveries();
        List<ConsumerRecord<String, String>> records = TestReplayer.readToEnd(kafka, deliveries);
        List<ConsumerRecord<String, String>> ours = records.stream()
                .filter(rec -> header(rec).equals(r.text("replayJob") + "/dl_one")).toList();
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0).key()).isEqualTo("sub_one");
        DeliveryTask task = Json.read(ours.get(0).value().getBytes(StandardCharsets.UTF_8), DeliveryTask.class);
        assertThat(task.attempt()).isEqualTo(1);
        assertThat(task.firstAttemptAt()).isNull();
        assertThat(task.dueAt()).isAfter(Instant.now().minusSeconds(60));
        assertThat(task.subscriptionId()).isEqualTo("sub_one");
        assertThat(task.event().id()).isEqualTo("evt_dl_one");
        assertThat(task.event().payload().get("letter").asText()).isEqualTo("dl_one");

        TestReplayer.Response again = replayer.post("/v1/dead-letters/dl_one/replay", ADMIN_KEY, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("detail")).contains("already replayed");
        assertThat(replayer.call("DELETE", "/v1/dead-letters/dl_one", ADMIN_KEY, null).status()).isEqualTo(409);

        TestReplayer.Response gone = replayer.post("/v1/dead-letters/dl_one_gone/replay", ADMIN_KEY, null);
        assertThat(gone.status()).isEqualTo(409);
        assertThat(gone.text("detail")).contains("sub_one_gone no longer exists");
        assertThat(replayer.get("/v1/dead-letters/dl_one_gone", ADMIN_KEY).text("state")).isEqualTo("dead");
    }

    static String header(ConsumerRecord<String, String> record) {
        return StreamSupport.stream(record.headers().headers("hookline-replay").spliterator(), false)
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).findFirst().orElse("");
    }
}
