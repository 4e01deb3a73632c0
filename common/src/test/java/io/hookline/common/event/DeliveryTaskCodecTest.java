package io.hookline.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.common.json.RawJson;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryTaskCodecTest {
    private static final String PAYLOAD = "{\"order\":42,\"total\":1.50,\"big\":1e400,\"items\":[1,{\"a\":null}],\"é\":\"ü\"}";

    private static DeliveryTask task() throws IOException {
        EventEnvelope event = new EventEnvelope("evt_1", "orders.created", "acme", "customer-7", "idem-1",
                Instant.parse("2026-11-22T08:45:13.123456789Z"), Instant.parse("2026-11-22T08:45:14Z"),
                Json.readTree(PAYLOAD.getBytes(StandardCharsets.UTF_8)));
        return new DeliveryTask(DeliveryTask.CURRENT_VERSION, event, "sub_1", 3,
                Instant.parse("2026-11-22T08:46:00.5Z"), Instant.parse("2026-11-22T09:00:00.000001Z"), 4, 1234);
    }

    /** What version 1 read with: plain record binding, instants through Jackson's JavaTimeModule. */
    record OldEvent(String id, String topic, String tenant, String orderingKey, String idempotencyKey,
                    Instant occurredAt, Instant receivedAt, JsonNode payload) {
    }

    record OldTask(int v, OldEvent event, String subscriptionId, int attempt, Instant firstAttemptAt, Instant dueAt,
                   int sourcePartition, long sourceOffset) {
    }

    @Test
    void roundTripsThroughRecordBindingAndTheRawDecoder() throws Exception {
        DeliveryTask task = task();
        byte[] bytes = Json.write(task);

        assertThat(Json.read(bytes, DeliveryTask.class)).isEqualTo(task);
        DeliveryTask raw = DeliveryTaskCodec.decode(bytes);
        assertThat(raw.event().payload()).isInstanceOf(RawJson.class);
        assertThat(Json.readTree(((RawJson) raw.event().payload()).bytes())).isEqualTo(task.event().payload());
        assertThat(withPayload(raw, task.event().payload())).isEqualTo(task);
        // A raw payload written again (a task going on to a retry topic) is the same task.
        assertThat(Json.read(Json.write(raw), DeliveryTask.class)).isEqualTo(task);
    }

    @Test
    void writesInstantsAsEpochSecondsThatVersionOneReadersUnderstand() throws Exception {
        DeliveryTask task = task();
        byte[] bytes = Json.write(task);
        JsonNode tree = Json.readTree(bytes);
        assertThat(tree.get("v").asInt()).isEqualTo(2);
        assertThat(tree.get("dueAt").isNumber()).isTrue();
        assertThat(tree.get("event").get("occurredAt").asText())
                .isEqualTo(task.event().occurredAt().getEpochSecond() + ".123456789");

        OldTask old = Json.read(bytes, OldTask.class);
        assertThat(old.event().occurredAt()).isEqualTo(task.event().occurredAt());
        assertThat(old.event().receivedAt()).isEqualTo(task.event().receivedAt());
        assertThat(old.firstAttemptAt()).isEqualTo(task.firstAttemptAt());
        assertThat(old.dueAt()).isEqualTo(task.dueAt());
        assertThat(old.event().payload()).isEqualTo(task.event().payload());
    }

    @Test
    void readsVersionOneTasks() throws Exception {
        DeliveryTask task = task();
        OldTask old = new OldTask(1, new OldEvent(task.event().id(), task.event().topic(), task.event().tenant(),
                task.event().orderingKey(), task.event().idempotencyKey(), task.event().occurredAt(),
                task.event().receivedAt(), task.event().payload()), task.subscriptionId(), task.attempt(),
                task.firstAttemptAt(), task.dueAt(), task.sourcePartition(), task.sourceOffset());
        byte[] v1 = Json.write(old);
        assertThat(new String(v1, StandardCharsets.UTF_8)).contains("\"dueAt\":\"2026-11-22T09:00:00.000001Z\"");

        DeliveryTask expected = new DeliveryTask(1, task.event(), task.subscriptionId(), task.attempt(),
                task.firstAttemptAt(), task.dueAt(), task.sourcePartition(), task.sourceOffset());
        assertThat(Json.read(v1, DeliveryTask.class)).isEqualTo(expected);
        assertThat(withPayload(DeliveryTaskCodec.decode(v1), task.event().payload())).isEqualTo(expected);
    }

    @Test
    void writesEveryComponentOfTheTaskAndItsEvent() throws Exception {
        // A component added to either record without teaching the codec about it would be lost here.
        JsonNode tree = Json.readTree(Json.write(task()));
        assertThat(names(tree)).containsExactlyInAnyOrderElementsOf(components(DeliveryTask.class));
        assertThat(names(tree.get("event"))).containsExactlyInAnyOrderElementsOf(components(EventEnvelope.class));
    }

    @Test
    void skipsUnknownFieldsAndRejectsWhatIsNotATask() {
        String withExtra = "{\"v\":2,\"future\":{\"x\":[1,2]},\"event\":{\"id\":\"evt_1\",\"topic\":\"t\",\"tenant\":\"a\","
                + "\"later\":true,\"payload\":[1,2]},\"subscriptionId\":\"sub_1\",\"attempt\":1,\"sourcePartition\":0,"
                + "\"sourceOffset\":7}";
        DeliveryTask task = DeliveryTaskCodec.decode(withExtra.getBytes(StandardCharsets.UTF_8));
        assertThat(task.event().payload().toString()).isEqualTo("[1,2]");
        assertThat(task.sourceOffset()).isEqualTo(7);

        assertThatThrownBy(() -> DeliveryTaskCodec.decode("{\"v\":2,\"event\":{\"id\":\"x\"}}".getBytes()))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> DeliveryTaskCodec.decode("{\"v\":2,\"event\":{\"payload\":{\"a\":1".getBytes()))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> DeliveryTaskCodec.decode("[]".getBytes())).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> Json.read("{\"v\":2}".getBytes(), DeliveryTask.class))
                .isInstanceOf(RuntimeException.class);
    }

    private static DeliveryTask withPayload(DeliveryTask task, JsonNode payload) {
        EventEnvelope e = task.event();
        return new DeliveryTask(task.v(), new EventEnvelope(e.id(), e.topic(), e.tenant(), e.orderingKey(),
                e.idempotencyKey(), e.occurredAt(), e.receivedAt(), payload), task.subscriptionId(), task.attempt(),
                task.firstAttemptAt(), task.dueAt(), task.sourcePartition(), task.sourceOffset());
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    private static List<String> components(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    }
}
