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

    @Test
    void theDirectEncodingWritesExactlyWhatJacksonWrites() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        byte[] payload = bytes("{\"a\":[1,\"x\"]}");
        for (int i = 0; i < 2000; i++) {
            String orderingKey = i % 3 == 0 ? null : printable(random);
            String idempotencyKey = i % 5 == 0 ? null : printable(random);
            byte[] direct = EnvelopeEncoder.encodeAscii("evt_01HZ", "orders.created", "acme-1", orderingKey,
                    idempotencyKey, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01.123456Z", payload);
            byte[] general = EnvelopeEncoder.encodeGeneral("evt_01HZ", "orders.created", "acme-1", orderingKey,
                    idempotencyKey, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01.123456Z", payload);
            assertThat(direct).isEqualTo(general);
        }
    }

    @Test
    void fieldsBeyondPrintableAsciiGoThroughJackson() {
        assertThat(EnvelopeEncoder.encodeAscii("evt_5", "t", "zoë", null, null, "a", "b", bytes("1"))).isNull();
        byte[] envelope = EnvelopeEncoder.encode("evt_5", "t", "zoë", null, null, OCCURRED, RECEIVED, bytes("1"));
        assertThat(Json.read(envelope, EventEnvelope.class).tenant()).isEqualTo("zoë");
    }

    /** 1-40 printable ASCII characters, quotes and backslashes included. */
    private static String printable(java.util.SplittableRandom random) {
        StringBuilder out = new StringBuilder();
        int length = 1 + random.nextInt(40);
        for (int i = 0; i < length; i++) {
            out.append((char) (0x20 + random.nextInt(0x7F - 0x20)));
        }
        return out.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
