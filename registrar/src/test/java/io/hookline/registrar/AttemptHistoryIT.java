package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.registrar.store.AttemptRepository;
import io.hookline.common.event.AttemptRecord;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Delivery attempts written on hookline.attempts become the subscription's history and health. */
@WithKafka
@WithPostgres
class AttemptHistoryIT {
    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;
    static String subscription;

    @BeforeAll
    static void start() {
        registrar = TestRegistrar.start(TestRegistrar.env(kafka, db));
        Response created = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://127.0.0.1:9/h\",\"topics\":[\"*\"]}");
        assertThat(created.status()).isEqualTo(201);
        subscription = created.text("id");
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    private static void publish(AttemptRecord attempt) {
        kafka.send(kafka.topicPrefix() + ".attempts", attempt.subscriptionId(), Json.writeString(attempt));
    }

    private static AttemptRecord attempt(String id, String eventId, int n, Instant at, long latency, String outcome,
                                         Integer status, String error) {
        return new AttemptRecord(1, id, subscription, "default", eventId, "orders", n, "http://127.0.0.1:9/h", at,
                latency, outcome, status, error, null, null);
    }

    private static List<String> ids(Response page) {
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        page.body().get("data").forEach(a -> ids.add(a.get("id").asText()));
        return ids;
    }

    @Test
    void attemptsBecomeHistoryAndHealthWithinRetention() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AttemptRecord ok = attempt("att_1", "evt_1", 1, now.minus(50, ChronoUnit.MINUTES), 10, "success", 204, null);
        AttemptRecord failed = attempt("att_2", "evt_2", 1, now.minus(40, ChronoUnit.MINUTES), 30, "retryable", 500,
                "HTTP 500");
        AttemptRecord timedOut = attempt("att_3", "evt_2", 2, now.minus(30, ChronoUnit.MINUTES), 1000, "retryable",
                null, "timeout after 1000 ms");
        AttemptRecord ancient = attempt("att_0", "evt_0", 1, now.minus(30, ChronoUnit.DAYS), 5, "success", 200, null);
        publish(ancient);
        publish(ok);
        publish(failed);
        publish(timedOut);
        publish(timedOut); // the dispatcher may write a record twice: it is stored once

        String path = "/v1/subscriptions/" + subscription;
        await("history recorded").atMost(Duration.ofSeconds(30))
                .until(() -> ids(registrar.get(path + "/attempts", ADMIN_KEY)).size() == 3);
        assertThat(ids(registrar.get(path + "/attempts", ADMIN_KEY))).containsExactly("att_3", "att_2", "att_1");

        Response first = registrar.get(path + "/attempts?limit=2", ADMIN_KEY);
        assertThat(ids(first)).containsExactly("att_3", "att_2");
        Response second = registrar.get(path + "/attempts?limit=2&cursor=" + first.text("nextCursor"), ADMIN_KEY);
        assertThat(ids(second)).containsExactly("att_1");
        assertThat(second.text("nextCursor")).isNull();
        assertThat(ids(registrar.get(path + "/attempts?outcome=success", ADMIN_KEY))).containsExactly("att_1");
        assertThat(ids(registrar.get(path + "/attempts?eventId=evt_2", ADMIN_KEY))).containsExactly("att_3", "att_2");
        JsonNode latest = registrar.get(path + "/attempts?limit=1", ADMIN_KEY).body().get("data").get(0);
        assertThat(latest.get("error").asText()).isEqualTo("timeout after 1000 ms");
        assertThat(latest.get("attempt").asInt()).isEqualTo(2);
        assertThat(Instant.parse(latest.get("startedAt").asText())).isEqualTo(timedOut.startedAt());

        Response health = registrar.get(path + "/health", ADMIN_KEY);
        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        JsonNode h = health.body();
        assertThat(h.get("attempts").asLong()).isEqualTo(3);
        assertThat(h.get("successes").asLong()).isEqualTo(1);
        assertThat(h.get("failures").asLong()).isEqualTo(2);
        assertThat(h.get("successRate").asDouble()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(h.get("consecutiveFailures").asLong()).isEqualTo(2);
        assertThat(h.get("latencyMs").get("p50").asDouble()).isEqualTo(30.0);
        assertThat(h.get("latencyMs").get("p99").asDouble()).isGreaterThan(900.0);
        assertThat(Instant.parse(h.get("lastSuccessAt").asText())).isEqualTo(ok.startedAt());
        assertThat(Instant.parse(h.get("lastFailureAt").asText())).isEqualTo(timedOut.startedAt());
        assertThat(h.get("lastFailure").get("error").asText()).isEqualTo("timeout after 1000 ms");

        Response narrow = registrar.get(path + "/health?window=35m", ADMIN_KEY);
        assertThat(narrow.body().get("attempts").asLong()).isEqualTo(1);
        assertThat(narrow.body().get("consecutiveFailures").asLong()).as("not limited by the window").isEqualTo(2);

        // A success resets the streak.
        publish(attempt("att_4", "evt_2", 3, now.minus(1, ChronoUnit.MINUTES), 20, "success", 200, null));
        await().atMost(Duration.ofSeconds(30)).until(() -> registrar.get(path + "/health", ADMIN_KEY).body()
                .get("consecutiveFailures").asLong() == 0);

        // Whole days older than the retention are dropped; new attempts recreate their day.
        String todays = AttemptRepository.partitionName(LocalDate.ofInstant(now, ZoneOffset.UTC));
        assertThat(TestRegistrar.query(db, "SELECT to_regclass('" + todays + "') IS NOT NULL AS present"))
                .containsExactly(java.util.Map.of("present", true));
        List<LocalDate> dropped = registrar.service.attemptRecorder().dropExpired(now.plus(Duration.ofDays(9)));
        assertThat(dropped).contains(LocalDate.ofInstant(now, ZoneOffset.UTC));
        assertThat(TestRegistrar.query(db, "SELECT to_regclass('" + todays + "') IS NOT NULL AS present"))
                .as("the expired day's partition is dropped, not emptied").containsExactly(java.util.Map.of("present", false));
        assertThat(ids(registrar.get(path + "/attempts", ADMIN_KEY))).isEmpty();
        publish(attempt("att_5", "evt_5", 1, Instant.now(), 7, "success", 200, null));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids(registrar.get(path + "/attempts", ADMIN_KEY)).equals(List.of("att_5")));
    }

    @Test
    void historyIsTenantPrivateAndParametersAreChecked() {
        Response key = registrar.post("/v1/api-keys", ADMIN_KEY, "{\"tenant\":\"other\",\"scopes\":[\"manage\"]}");
        String other = key.text("key");
        String path = "/v1/subscriptions/" + subscription;
        assertThat(registrar.get(path + "/attempts", other).status()).isEqualTo(404);
        assertThat(registrar.get(path + "/health", other).status()).isEqualTo(404);
        assertThat(registrar.get(path + "/attempts?outcome=maybe", ADMIN_KEY).text("field")).isEqualTo("outcome");
        assertThat(registrar.get(path + "/attempts?cursor=nope", ADMIN_KEY).text("field")).isEqualTo("cursor");
        assertThat(registrar.get(path + "/health?window=1y", ADMIN_KEY).text("field")).isEqualTo("window");
        assertThat(registrar.get(path + "/health?window=30d", ADMIN_KEY).text("field")).isEqualTo("window");
        assertThat(registrar.get("/v1/subscriptions/sub_00000000000000000000000000/health", ADMIN_KEY).status())
                .isEqualTo(404);
    }
}
