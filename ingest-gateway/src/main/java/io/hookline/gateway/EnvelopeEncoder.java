package io.hookline.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Encodes the event envelope of DESIGN.md section 3 ({@code io.hookline.common.event.EventEnvelope} reads it back).
 * The payload goes in as the producer's own bytes when they are at hand (a single publish), so it is stored exactly
 * as sent, and without a second serialization pass.
 */
final class EnvelopeEncoder {
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private EnvelopeEncoder() {
    }

    /** The envelope with {@code rawPayload} (one complete, UTF-8 JSON value, already validated) as its payload. */
    static byte[] encode(String id, String topic, String tenant, String orderingKey, String idempotencyKey,
                         Instant occurredAt, Instant receivedAt, byte[] rawPayload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rawPayload.length + 320);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            // The object is left open on purpose (see below), so closing the generator must not close it.
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("topic", topic);
            g.writeStringField("tenant", tenant);
            if (orderingKey != null) {
                g.writeStringField("orderingKey", orderingKey);
            }
            if (idempotencyKey != null) {
                g.writeStringField("idempotencyKey", idempotencyKey);
            }
            g.writeStringField("occurredAt", InstantText.format(occurredAt));
            g.writeStringField("receivedAt", InstantText.format(receivedAt));
            // No end of object: the payload field and the closing brace follow as raw bytes.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.writeBytes(PAYLOAD_FIELD);
        out.writeBytes(rawPayload);
        out.write('}');
        return out.toByteArray();
    }

    /** The envelope with a parsed payload (a batch item), written in its canonical form. */
    static byte[] encode(String id, String topic, String tenant, String orderingKey, String idempotencyKey,
                         Instant occurredAt, Instant receivedAt, JsonNode payload) {
        return encode(id, topic, tenant, orderingKey, idempotencyKey, occurredAt, receivedAt, encodePayload(payload));
    }

    static byte[] encodePayload(JsonNode payload) {
        return Json.write(payload);
    }
}
