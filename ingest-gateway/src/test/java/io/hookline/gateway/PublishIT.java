package io.hookline.gateway;

import static io.hookline.gateway.GatewayFixture.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.gateway.GatewayFixture.Answer;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The publish API end to end on a real broker: what is answered, and what lands on the events topics. */
@ExtendWith(KafkaExtension.class)
class PublishIT {
    private static final String ORDER_SCHEMA = """
            {"type": "object", "required": ["orderId"],
             "properties": {"orderId": {"type": "string"},
                            "lines": {"type": "array", "items": {"type": "object",
                                      "properties": {"qty": {"type": "integer", "minimum": 1}}}}}}
            """;

    private static GatewayFixture gateway;
    private static String acmeKey;
    private static String acmeManageOnlyKey;
    private static String globexKey;
    private static String limitedKey;

    @BeforeAll
    static void start(TestKafka kafka) {
        gateway = new GatewayFixture(kafka);
        gateway.topic("orders", "acme", null, 3);
        gateway.topic("typed", "acme", ORDER_SCHEMA, 1);
        gateway.topic("invoices", "globex", null, 1);
        gateway.topic("metered", "limited", null, 1);
        gateway.registerTopic("ghost", "acme", null, 1); // registered, but its Kafka topic does not exist
        acmeKey = gateway.apiKey("acme", "publish");
        acmeManageOnlyKey = gateway.apiKey("acme", "manage");
        globexKey = gateway.apiKey("globex", "publish", "manage");
        limitedKey = gateway.apiKey("limited", "publish");
        gateway.start(Map.of(
                "HOOKLINE_MAX_PAYLOAD_BYTES", "4096",
                "HOOKLINE_MAX_BATCH_BYTES", "16384",
                "HOOKLINE_MAX_BATCH_EVENTS", "10",
                "HOOKLINE_TENANT_QUOTAS", "limited=1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static List<EventEnvelope> envelopesWithId(String topic, String id, int atLeast) {
        // The events topic is shared by the tests of this class: keep reading until the wanted ids show up.
        List<ConsumerRecord<String, String>> records = gateway.events(topic, atLeast);
        return records.stream().map(GatewayFixture::envelope).filter(e -> e.id().equals(id)).toList();
    }

    @Test
    void aPublishedEventIsOnItsEventsTopicWithItsEnvelopeAndOrderingKey() {
        Answer answer = gateway.publish("orders", acmeKey, "{\"orderId\": \"o-1\", \"total\": 10.50}",
                "Hookline-Ordering-Key", "customer-7", "Hookline-Occurred-At", "2024-05-01T12:00:00+02:00");
        assertThat(answer.status()).isEqualTo(202);
        String id = answer.json().get("id").textValue();
        assertThat(id).matches("evt_[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(answer.json().get("topic").textValue()).isEqualTo("orders");

        ConsumerRecord<String, String> record = gateway.events("orders", 1).stream()
                .filter(r -> envelope(r).id().equals(id)).findFirst().orElseThrow();
        assertThat(record.key()).isEqualTo("customer-7");
        EventEnvelope envelope = envelope(record);
        assertThat(envelope.topic()).isEqualTo("orders");
        assertThat(envelope.tenant()).isEqualTo("acme");
        assertThat(envelope.orderingKey()).isEqualTo("customer-7");
        assertThat(envelope.idempotencyKey()).isNull();
        assertThat(envelope.occurredAt()).isEqualTo(java.time.Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(envelope.receivedAt()).isNotNull();
        // The payload is stored as sent, byte for byte.
        assertThat(record.value()).endsWith("\"payload\":{\"orderId\": \"o-1\", \"total\": 10.50}}");
    }

    @Test
    void withoutAnOrderingKeyTheRecordKeyIsTheEventId() {
        Answer answer = gateway.publish("orders", acmeKey, "[1, 2, 3]");
        assertThat(answer.status()).isEqualTo(202);
        String id = answer.json().get("id").textValue();
        ConsumerRecord<String, String> record = gateway.events("orders", 1).stream()
                .filter(r -> envelope(r).id().equals(id)).findFirst().orElseThrow();
        assertThat(record.key()).isEqualTo(id);
        assertThat(envelope(record).occurredAt()).isEqualTo(envelope(record).receivedAt());
    }

    @Test
    void aPortInUseStopsASecondGatewayWithOneLine() {
        int taken = gateway.service().httpPort();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayService.start(GatewayConfig.from(
                        gateway.env(Map.of("HOOKLINE_HTTP_PORT", Integer.toString(taken))))))
                .isInstanceOfSatisfying(io.hookline.common.config.ConfigException.class,
                        e -> assertThat(e.variable()).isEqualTo("HOOKLINE_HTTP_PORT"));
        // The failed start released what it had opened; the running gateway is unaffected.
        assertThat(gateway.publish("orders", acmeKey, "{}").status()).isEqualTo(202);
    }

    @Test
    void readinessAndHealth() {
        assertThat(gateway.get("/healthz").status()).isEqualTo(200);
        Answer ready = gateway.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("checks").get("topics-view").textValue()).isEqualTo("ready");
        assertThat(ready.json().get("checks").get("api-keys-view").textValue()).isEqualTo("ready");
    }

    @Test
    void missingOrInvalidKeysAre401AndAKeyWithoutPublishScopeIs403() {
        assertProblem(gateway.publish("orders", null, "{}"), 401);
        assertProblem(gateway.publish("orders", "hk_not_a_key", "{}"), 401);
        assertProblem(gateway.post("/v1/topics/orders/events", null, "application/json", "{}",
                "Authorization", "Basic " + acmeKey), 401);
        assertProblem(gateway.publish("orders", acmeManageOnlyKey, "{}"), 403);
        // A 401 says nothing about whether the topic exists.
        assertProblem(gateway.publish("no-such-topic", null, "{}"), 401);
    }

    @Test
    void unknownTopicsAndOtherTenantsTopicsAre404() {
        Answer unknown = assertProblem(gateway.publish("no-such-topic", acmeKey, "{}"), 404);
        Answer foreign = assertProblem(gateway.publish("invoices", acmeKey, "{}"), 404);
        // Indistinguishable, so topic names of other tenants do not leak.
        assertThat(foreign.json().get("title")).isEqualTo(unknown.json().get("title"));
        assertProblem(gateway.publish("orders", globexKey, "{}"), 404);
        assertProblem(gateway.publish("Not_A_Valid_Name", acmeKey, "{}"), 404);
    }

    @Test
    void theAdminMayPublishToAnyTenantsTopic() {
        Answer answer = gateway.publish("invoices", GatewayFixture.ADMIN_KEY, "{\"n\": 1}");
        assertThat(answer.status()).isEqualTo(202);
        String id = answer.json().get("id").textValue();
        List<EventEnvelope> stored = envelopesWithId("invoices", id, 1);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).tenant()).isEqualTo("globex");
    }

    @Test
    void malformedJsonIs400WithItsLocation() {
        Answer answer = assertProblem(gateway.publish("orders", acmeKey, "{\"orderId\": \"o-1\",\n \"total\": }"), 400);
        assertThat(answer.json().get("detail").textValue()).contains("line 2, column");
        assertProblem(gateway.publish("orders", acmeKey, ""), 400);
        assertProblem(gateway.publish("orders", acmeKey, "{\"a\":1}{\"b\":2}"), 400);
    }

    @Test
    void nonJsonContentTypesAre415() {
        assertProblem(gateway.post("/v1/topics/orders/events", acmeKey, "text/plain", "{}"), 415);
        assertProblem(gateway.post("/v1/topics/orders/events", acmeKey, null, "{}"), 415);
        assertProblem(gateway.post("/v1/topics/orders/events", acmeKey, "application/json; charset=utf-16", "{}"), 415);
        assertThat(gateway.post("/v1/topics/orders/events", acmeKey, "application/cloudevents+json; charset=UTF-8",
                "{}").status()).isEqualTo(202);
    }

    @Test
    void payloadsOverTheLimitAre413() {
        String over = "\"" + "x".repeat(5000) + "\"";
        Answer handler = assertProblem(gateway.publish("orders", acmeKey, over), 413);
        assertThat(handler.json().get("detail").textValue()).contains("4096");
        // Larger than any request may be: refused by the server before the body is read.
        String huge = "\"" + "x".repeat(40_000) + "\"";
        assertProblem(gateway.publish("orders", acmeKey, huge), 413);
    }

    @Test
    void payloadsFailingTheTopicSchemaAre422WithTheFailingPath() {
        Answer answer = assertProblem(gateway.publish("typed", acmeKey,
                "{\"orderId\": \"o-1\", \"lines\": [{\"qty\": 2}, {\"qty\": 0}]}"), 422);
        assertThat(answer.json().get("field").textValue()).isEqualTo("/lines/1/qty");
        assertThat(answer.json().get("errors").get(0).get("path").textValue()).isEqualTo("/lines/1/qty");
        assertProblem(gateway.publish("typed", acmeKey, "{\"lines\": []}"), 422);
        assertThat(gateway.publish("typed", acmeKey, "{\"orderId\": \"o-2\", \"lines\": [{\"qty\": 1}]}").status())
                .isEqualTo(202);
    }

    @Test
    void badHeaderValuesAre400() {
        assertThat(assertProblem(gateway.publish("orders", acmeKey, "{}", "Idempotency-Key", "k".repeat(256)), 400)
                .json().get("field").textValue()).isEqualTo("Idempotency-Key");
        assertProblem(gateway.publish("orders", acmeKey, "{}", "Hookline-Occurred-At", "yesterday"), 400);
    }

    @Test
    void theSameIdempotencyKeyFromTheSameTenantGivesTheSameEventId() {
        String key = "idem-" + System.nanoTime();
        Answer first = gateway.publish("orders", acmeKey, "{\"attempt\": 1}", "Idempotency-Key", key);
        Answer retry = gateway.publish("orders", acmeKey, "{\"attempt\": 2}", "Idempotency-Key", key);
        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(202);
        String id = first.json().get("id").textValue();
        assertThat(retry.json().get("id").textValue()).isEqualTo(id);

        // Another tenant using the same key publishes a different event.
        Answer other = gateway.publish("invoices", globexKey, "{}", "Idempotency-Key", key);
        assertThat(other.json().get("id").textValue()).isNotEqualTo(id);

        // Both publishes are on the topic under one id (and one partition); the fan-out stage keeps the first.
        List<ConsumerRecord<String, String>> records = gateway.events("orders", 2).stream()
                .filter(r -> envelope(r).id().equals(id)).toList();
        assertThat(records).hasSize(2);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
        assertThat(records).extracting(r -> envelope(r).idempotencyKey()).containsOnly(key);
    }

    @Test
    void aBatchAnswersPerItemAndStoresTheValidOnes() {
        String idempotencyKey = "batch-" + System.nanoTime();
        Answer answer = gateway.publishBatch("typed", acmeKey, """
                {"events": [
                  {"payload": {"orderId": "b-1"}, "orderingKey": "customer-1"},
                  {"payload": {"orderId": 12}},
                  {"orderingKey": "no-payload"},
                  {"payload": {"orderId": "b-2"}, "idempotencyKey": "%s"},
                  {"payload": {"orderId": "b-3"}, "occurredAt": "not a time"}
                ]}""".formatted(idempotencyKey));
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        JsonNode results = answer.json().get("results");
        assertThat(results.get(1).has("error")).as(answer.body()).isTrue();
        assertThat(results).hasSize(5);
        String first = results.get(0).get("id").textValue();
        assertThat(results.get(1).get("error").get("status").intValue()).isEqualTo(422);
        assertThat(results.get(1).get("error").get("field").textValue()).isEqualTo("events[1].payload/orderId");
        assertThat(results.get(2).get("error").get("field").textValue()).isEqualTo("events[2].payload");
        String fourth = results.get(3).get("id").textValue();
        assertThat(fourth).isEqualTo(IdempotentEventIds.eventId("acme", idempotencyKey));
        assertThat(results.get(4).get("error").get("status").intValue()).isEqualTo(400);

        Map<String, ConsumerRecord<String, String>> stored = gateway.events("typed", 2).stream()
                .collect(Collectors.toMap(r -> envelope(r).id(), r -> r, (a, b) -> a));
        assertThat(stored).containsKeys(first, fourth);
        assertThat(stored.get(first).key()).isEqualTo("customer-1");
        assertThat(envelope(stored.get(fourth)).idempotencyKey()).isEqualTo(idempotencyKey);
        assertThat(envelope(stored.get(fourth)).payload().get("orderId").textValue()).isEqualTo("b-2");
    }

    @Test
    void batchesRefusedWhole() {
        assertProblem(gateway.publishBatch("orders", acmeKey, "{\"events\": []}"), 422);
        assertProblem(gateway.publishBatch("orders", acmeKey, "[{\"payload\": 1}]"), 422);
        String eleven = "{\"events\": [" + "{\"payload\": 1},".repeat(10) + "{\"payload\": 1}]}";
        assertProblem(gateway.publishBatch("orders", acmeKey, eleven), 422);
        assertProblem(gateway.publishBatch("orders", acmeKey, "{\"events\": [{\"payload\": 1}"), 400);
        assertProblem(gateway.publishBatch("invoices", acmeKey, "{\"events\": [{\"payload\": 1}]}"), 404);
        String big = "{\"events\": [{\"payload\": \"" + "x".repeat(17_000) + "\"}]}";
        assertProblem(gateway.publishBatch("orders", acmeKey, big), 413);
    }

    @Test
    void aTenantOverItsQuotaGets429WithRetryAfter() {
        // Rate 1/s: a batch of five is admitted into the full bucket and leaves it 4 events in debt, so the next
        // publish is refused for the next ~5 seconds however slow the broker is.
        Answer batch = gateway.publishBatch("metered", limitedKey,
                "{\"events\": [" + "{\"payload\": 1},".repeat(4) + "{\"payload\": 1}]}");
        assertThat(batch.status()).isEqualTo(202);
        Answer refused = assertProblem(gateway.publish("metered", limitedKey, "{}"), 429);
        assertThat(Integer.parseInt(refused.header("retry-after"))).isBetween(1, 5);
        // Other tenants are not limited.
        assertThat(gateway.publish("orders", acmeKey, "{}").status()).isEqualTo(202);
    }

    @Test
    void aRegisteredTopicWhoseKafkaTopicIsMissingIs503NotLostOrHung() {
        Answer first = assertProblem(gateway.publish("ghost", acmeKey, "{}"), 503);
        assertThat(first.header("retry-after")).isEqualTo(Integer.toString(EventWriter.UNAVAILABLE_RETRY_AFTER_SECONDS));
        // Further publishes fail fast for a while instead of tying up a sender thread each.
        Answer again = assertProblem(gateway.publish("ghost", acmeKey, "{}"), 503);
        assertThat(again.json().get("detail").textValue()).contains("no metadata");
        // Publishes to healthy topics are unaffected.
        assertThat(gateway.publish("orders", acmeKey, "{}").status()).isEqualTo(202);
    }

    @Test
    void metricsCountPublishedAndRejectedEventsByReason() {
        assertThat(gateway.publish("orders", acmeKey, "{}").status()).isEqualTo(202);
        assertProblem(gateway.publish("no-such-topic", acmeKey, "{}"), 404);
        String metrics = gateway.get("/metrics").body();
        assertThat(metrics).containsPattern("hookline_gateway_events_published_total\\{[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("hookline_gateway_events_rejected_total\\{[^}]*reason=\"not-found\"[^}]*\\} [1-9]");
        assertThat(metrics).contains("hookline_gateway_kafka_ack_latency_seconds_count");
        assertThat(metrics).contains("hookline_gateway_inflight_events");
    }

    private static Answer assertProblem(Answer answer, int status) {
        assertThat(answer.status()).as("status of %s", answer.body()).isEqualTo(status);
        assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
        assertThat(answer.json().get("status").intValue()).isEqualTo(status);
        return answer;
    }
}
