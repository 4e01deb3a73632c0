package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnvelopeEncoderTest {
    private static final Instant OCCURRED = Instant.parse("2024-05-01T12:00:00Z");
    private static final Instant RECEIVED = Instant.parse("2024-05-01T12:00:01.123456789Z");

    @Test
    void rawPayloadIsStoredByteForByte() {
        String payload = "{ \"amount\": 10.50, \"note\": \"caf\\u00e9\", \"big\": 1e400 }\n";
        byte[] envelope = EnvelopeEncoder.encode("evt_1", "orders", "acme", "cust-7", "idem-1", OCCURRED, RECEIVED,
                payload.getBytes(StandardCharsets.UTF_8));
        String text = new String(envelope, StandardCharsets.UTF_8);
        assertThat(text).endsWith(",\"payload\":" + payload + "}");

        EventEnvelope read = Json.read(envelope, EventEnvelope.class);
        assertThat(read.id()).isEqualTo("evt_1");
        assertThat(read.topic()).isEqualTo("orders");
        assertThat(read.tenant()).isEqualTo("acme");
        assertThat(read.orderingKey()).isEqualTo("cust-7");
        assertThat(read.idempotencyKey()).isEqualTo("idem-1");
        assertThat(read.occurredAt()).isEqualTo(OCCURRED);
        assertThat(read.receivedAt()).isEqualTo(RECEIVED);
        assertThat(read.payload().get("note").textValue()).isEqualTo("café");
        assertThat(read.kafkaKey()).isEqualTo("cust-7");
    }

    @Test
    void optionalKeysAreOmittedAndScalarsWork() {
        byte[] envelope = EnvelopeEncoder.encode("evt_2", "t", "default", null, null, OCCURRED, RECEIVED,
                "null".getBytes(StandardCharsets.UTF_8));
        JsonNode tree = Json.MAPPER.valueToTree(Json.read(envelope, JsonNode.class));
        assertThat(tree.has("orderingKey")).isFalse();
        assertThat(tree.has("idempotencyKey")).isFalse();
        assertThat(tree.get("payload").isNull()).isTrue();
    }

    @Test
    void keysNeedingEscapesStayValidJson() {
        byte[] envelope = EnvelopeEncoder.encode("evt_3", "t", "default", "a\"b\\c", null, OCCURRED, RECEIVED,
                bytes("[1]"));
        assertThat(Json.read(envelope, EventEnvelope.class).orderingKey()).isEqualTo("a\"b\\c");
    }

    @Test
    void parsedPayloadsKeepExactNumbers() {
        JsonNode payload = PayloadParser.parse(bytes("{\"x\":0.10000000000000000555}"));
        byte[] envelope = EnvelopeEncoder.encode("evt_4", "t", "default", null, null, OCCURRED, RECEIVED, payload);
        assertThat(new String(envelope, StandardCharsets.UTF_8)).contains("\"payload\":{\"x\":0.10000000000000000555}");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
