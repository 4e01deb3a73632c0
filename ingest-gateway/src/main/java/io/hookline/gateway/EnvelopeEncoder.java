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
        String occurred = InstantText.format(occurredAt);
        String received = InstantText.format(receivedAt);
        byte[] direct = encodeAscii(id, topic, tenant, orderingKey, idempotencyKey, occurred, received, rawPayload);
        return direct != null ? direct
                : encodeGeneral(id, topic, tenant, orderingKey, idempotencyKey, occurred, received, rawPayload);
    }

    /**
     * The envelope written byte by byte when every field is printable ASCII, which ids, topic names, instants and
     * (by validation) the keys always are: the same bytes Jackson writes (only {@code "} and {@code \} need an
     * escape), without creating a generator per event. Null when some field (a tenant name) is not.
     */
    static byte[] encodeAscii(String id, String topic, String tenant, String orderingKey, String idempotencyKey,
                              String occurredAt, String receivedAt, byte[] rawPayload) {
        // Worst case every key character is escaped.
        int capacity = 128 + rawPayload.length + id.length() + topic.length() + 2 * tenant.length()
                + (orderingKey == null ? 0 : 2 * orderingKey.length() + 16)
                + (idempotencyKey == null ? 0 : 2 * idempotencyKey.length() + 20)
                + occurredAt.length() + receivedAt.length();
        byte[] out = new byte[capacity];
        int at = ascii(out, 0, "{\"id\":\"");
        at = field(out, at, id);
        at = ascii(out, at, "\",\"topic\":\"");
        at = field(out, at, topic);
        at = ascii(out, at, "\",\"tenant\":\"");
        at = field(out, at, tenant);
        if (at >= 0 && orderingKey != null) {
            at = ascii(out, at, "\",\"orderingKey\":\"");
            at = field(out, at, orderingKey);
        }
        if (at >= 0 && idempotencyKey != null) {
            at = ascii(out, at, "\",\"idempotencyKey\":\"");
            at = field(out, at, idempotencyKey);
        }
        if (at < 0) {
            return null;
        }
        at = ascii(out, at, "\",\"occurredAt\":\"");
        at = ascii(out, at, occurredAt);
        at = ascii(out, at, "\",\"receivedAt\":\"");
        at = ascii(out, at, receivedAt);
        out[at++] = '"';
        System.arraycopy(PAYLOAD_FIELD, 0, out, at, PAYLOAD_FIELD.length);
        at += PAYLOAD_FIELD.length;
        System.arraycopy(rawPayload, 0, out, at, rawPayload.length);
        at += rawPayload.length;
        out[at++] = '}';
        return at == out.length ? out : java.util.Arrays.copyOf(out, at);
    }

    /** Text known to be plain ASCII (our own field names and instants). */
    private static int ascii(byte[] out, int at, String text) {
        if (at < 0) {
            return at;
        }
        for (int i = 0; i < text.length(); i++) {
            out[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    /** A string value's content, escaped; -1 if it holds anything but printable ASCII. */
    private static int field(byte[] out, int at, String value) {
        if (at < 0) {
            return at;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return -1;
            }
            if (c == '"' || c == '\\') {
                out[at++] = '\\';
            }
            out[at++] = (byte) c;
        }
        return at;
    }

    /** Any field content, through Jackson's generator. */
    static byte[] encodeGeneral(String id, String topic, String tenant, String orderingKey, String idempotencyKey,
                                String occurredAt, String receivedAt, byte[] rawPayload) {
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
            g.writeStringField("occurredAt", occurredAt);
            g.writeStringField("receivedAt", receivedAt);
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
