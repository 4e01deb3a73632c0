package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.AttemptRecord;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registrar disables subscriptions from the attempts it records: on {@code 410 Gone}, and after failing
 * continuously for longer than {@code HOOKLINE_DISABLE_AFTER}; each disable is broadcast and reported once as
 * {@code subscription.disabled} on the system topic {@code hookline.ops}.
 */
@WithKafka
@WithPostgres
class EndpointHealthIT {
    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;
    private static final AtomicInteger ATTEMPT_IDS = new AtomicInteger();

    @BeforeAll
    static void start() {
        Map<String, String> env = TestRegistrar.env(kafka, db);
        env.put("HOOKLINE_DISABLE_AFTER", "2s");
        registrar = TestRegistrar.start(env);
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    private static String opsTopic() {
        return kafka.topicPrefix() + ".events.hookline.ops";
    }

    private static String createSubscription() {
        Response created = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://127.0.0.1:9/h\",\"topics\":[\"*\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.text("id");
    }

    private static AttemptRecord attempt(String subscription, Instant at, String outcome, Integer status) {
        String id = "att_health_" + ATTEMPT_IDS.incrementAndGet();
        return new AttemptRecord(1, id, subscription, "default", "evt_" + id, "orders", 1, "http://127.0.0.1:9/h", at,
                5, outcome, status, outcome.equals("success") ? null : "HTTP " + status, null, null);
    }

    private static void publish(AttemptRecord attempt) {
        kafka.send(kafka.topicPrefix() + ".attempts", attempt.subscriptionId(), Json.writeString(attempt));
    }

    private static Response subscription(String id) {
        return registrar.get("/v1/subscriptions/" + id, ADMIN_KEY);
    }

    /** Waits until the recorder stored {@code attempt} (its decisions commit in the same transaction). */
    private static void awaitStored(AttemptRecord attempt) {
        await("attempt " + attempt.id() + " stored").atMost(Duration.ofSeconds(30)).until(() -> TestRegistrar.query(db,
                "SELECT 1 FROM attempts WHERE id = '" + attempt.id() + "'").size() == 1);
    }

    /** The subscription.disabled events published for {@code subscription}, once at least {@code atLeast} are. */
    private static List<EventEnvelope> opsEvents(String subscription, int atLeast) {
        AtomicReference<List<EventEnvelope>> found = new AtomicReference<>();
        await("ops events of " + subscription).atMost(Duration.ofSeconds(30)).until(() -> {
            found.set(kafka.readAll(opsTopic(), 1, Duration.ofSeconds(10)).stream()
                    .map(r -> Json.read(r.value().getBytes(StandardCharsets.UTF_8), EventEnvelope.class))
                    .filter(e -> subscription.equals(e.payload().path("subscriptionId").asText()))
                    .toList());
            return found.get().size() >= atLeast;
        });
        return found.get();
    }

    @Test
    void theOpsTopicExistsAsATopicOfTenantDefault() {
        Response topic = registrar.get("/v1/topics/hookline.ops", ADMIN_KEY);
        assertThat(topic.status()).as(topic.toString()).isEqualTo(200);
        assertThat(topic.text("tenant")).isEqualTo("default");
        assertThat(topic.text("kafkaTopic")).isEqualTo(opsTopic());
        ConsumerRecord<String, String> record = KafkaRecords.awaitLatest(kafka, kafka.topicPrefix() + ".topics",
                "hookline.ops", r -> r.value() != null);
        assertThat(Json.read(record.value().getBytes(StandardCharsets.UTF_8), TopicRecord.class).tenant())
                .isEqualTo("default");
    }

    @Test
    void goneDisablesTheSubscriptionOnceAndReportsIt() {
        String id = createSubscription();
        AttemptRecord gone = attempt(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), "gone", 410);
        publish(gone);

        await("disabled").atMost(Duration.ofSeconds(30))
                .until(() -> "disabled".equals(subscription(id).text("status")));
        Response disabled = subscription(id);
        assertThat(disabled.text("statusReason")).isEqualTo("gone");
        assertThat(disabled.body().get("version").asLong()).isEqualTo(2);
        ConsumerRecord<String, String> broadcast = KafkaRecords.awaitLatest(kafka, kafka.topicPrefix()
                + ".subscriptions", id, r -> r.value() != null && r.value().contains("\"status\":\"disabled\""));
        assertThat(Json.read(broadcast.value().getBytes(StandardCharsets.UTF_8), SubscriptionRecord.class).version())
                .isEqualTo(2);

        EventEnvelope event = opsEvents(id, 1).get(0);
        assertThat(event.id()).startsWith("evt_");
        assertThat(event.topic()).isEqualTo("hookline.ops");
        assertThat(event.tenant()).isEqualTo("default");
        JsonNode payload = event.payload();
        assertThat(payload.get("type").asText()).isEqualTo("subscription.disabled");
        assertThat(payload.get("tenant").asText()).isEqualTo("default");
        assertThat(payload.get("reason").asText()).isEqualTo("gone");
        assertThat(Instant.parse(payload.get("at").asText())).isBeforeOrEqualTo(Instant.now());

        // The same record read again, then another 410 for the already disabled subscription: nothing changes.
        publish(gone);
        AttemptRecord goneAgain = attempt(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), "gone", 410);
        publish(goneAgain);
        awaitStored(goneAgain);
        assertThat(subscription(id).body().get("version").asLong()).isEqualTo(2);
        assertThat(opsEvents(id, 1)).hasSize(1);
    }

    @Test
    void aSubscriptionFailingLongerThanTheLimitIsDisabledButOneWithASuccessInBetweenIsNot() {
        String recovering = createSubscription();
        String failing = createSubscription();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        publish(attempt(recovering, now.minusSeconds(10), "retryable", 500));
        publish(attempt(recovering, now.minusSeconds(5), "success", 200));
        AttemptRecord lastOfRecovering = attempt(recovering, now, "retryable", 503);
        publish(lastOfRecovering);
        publish(attempt(failing, now.minusSeconds(10), "retryable", 500));
        publish(attempt(failing, now.minusSeconds(5), "permanent", 400));
        publish(attempt(failing, now, "retryable", 503));

        await("failing subscription disabled").atMost(Duration.ofSeconds(30))
                .until(() -> "disabled".equals(subscription(failing).text("status")));
        assertThat(subscription(failing).text("statusReason")).isEqualTo("failing");
        assertThat(opsEvents(failing, 1)).singleElement()
                .satisfies(e -> assertThat(e.payload().get("reason").asText()).isEqualTo("failing"));
        awaitStored(lastOfRecovering);
        assertThat(subscription(recovering).text("status")).isEqualTo("active");
        assertThat(opsEvents(recovering, 0)).isEmpty();

        // Re-enabled by an operator: failures from before the enable no longer count.
        Response enabled = registrar.post("/v1/subscriptions/" + failing + "/enable", ADMIN_KEY, null);
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
        assertThat(subscription(failing).text("statusReason")).isEqualTo("manual");
        AttemptRecord afterEnable = attempt(failing, Instant.now().plusMillis(100), "retryable", 500);
        publish(afterEnable);
        awaitStored(afterEnable);
        assertThat(subscription(failing).text("status")).isEqualTo("active");
    }
}
