package io.hookline.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.hookline.common.json.Json;
import io.hookline.common.json.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;

/**
 * The JSON form of a {@link DeliveryTask}, written and read by hand because every task crosses it on the delivery
 * hot path (Jackson's record binding and its ISO-8601 instant formatter showed up in the profiles).
 *
 * <p>Version 2 (written now) carries instants as decimal epoch seconds, {@code 1763800000.123456789}: that is the
 * numeric form Jackson's own {@code Instant} deserialiser reads, so a service still reading with record binding
 * (version 1 code) reads version 2 tasks correctly. Reading accepts both that and the ISO-8601 strings of version 1,
 * so tasks already on the topics stay readable. Unknown fields are skipped, as everywhere in Hookline.
 *
 * <p>{@link #decode(byte[])} keeps the event's payload as the raw bytes it was written as ({@link RawJson}); record
 * binding through {@link Json} (e.g. a task inside a dead letter) reads it into a tree as before.
 */
public final class DeliveryTaskCodec {
    public static final int VERSION = 2;

    private DeliveryTaskCodec() {
    }

    /** Reads a task from the bytes of a record, keeping the payload as raw JSON. */
    public static DeliveryTask decode(byte[] json) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            p.nextToken();
            DeliveryTask task = read(p, parser -> rawPayload(parser, json));
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the delivery task");
            }
            return task;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DeliveryTask: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read DeliveryTask: " + e.getMessage(), e);
        }
    }

    /** Writes the task in the current version; same as {@code Json.write(task)}. */
    public static byte[] encode(DeliveryTask task) {
        return Json.write(task);
    }

    @FunctionalInterface
    private interface PayloadReader {
        JsonNode read(JsonParser p) throws IOException;
    }

    private static JsonNode rawPayload(JsonParser p, byte[] source) throws IOException {
        JsonToken token = p.currentToken();
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            return treePayload(p); // a scalar payload: rare, and its end offset is not known before reading it
        }
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren(); // tokenises, so the bytes are valid JSON
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end <= start || end > source.length) {
            throw new IOException("cannot locate the payload in the record");
        }
        return new RawJson(Arrays.copyOfRange(source, (int) start, (int) end));
    }

    private static JsonNode treePayload(JsonParser p) throws IOException {
        JsonNode node = Json.MAPPER.readTree(p);
        return node == null ? NullNode.instance : node;
    }

    private static DeliveryTask read(JsonParser p, PayloadReader payloads) throws IOException {
        expect(p, JsonToken.START_OBJECT, "a delivery task");
        int v = 0;
        EventEnvelope event = null;
        String subscriptionId = null;
        int attempt = 0;
        Instant firstAttemptAt = null;
        Instant dueAt = null;
        int sourcePartition = 0;
        long sourceOffset = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "v" -> v = p.getValueAsInt();
                case "event" -> event = value == JsonToken.VALUE_NULL ? null : readEvent(p, payloads);
                case "subscriptionId" -> subscriptionId = JsonFields.text(p);
                case "attempt" -> attempt = p.getValueAsInt();
                case "firstAttemptAt" -> firstAttemptAt = JsonFields.instant(p);
                case "dueAt" -> dueAt = JsonFields.instant(p);
                case "sourcePartition" -> sourcePartition = p.getValueAsInt();
                case "sourceOffset" -> sourceOffset = p.getValueAsLong();
                default -> p.skipChildren();
            }
        }
        return new DeliveryTask(v, event, subscriptionId, attempt, firstAttemptAt, dueAt, sourcePartition,
                sourceOffset);
    }

    private static EventEnvelope readEvent(JsonParser p, PayloadReader payloads) throws IOException {
        expect(p, JsonToken.START_OBJECT, "an event");
        String id = null;
        String topic = null;
        String tenant = null;
        String orderingKey = null;
        String idempotencyKey = null;
        Instant occurredAt = null;
        Instant receivedAt = null;
        JsonNode payload = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = JsonFields.text(p);
                case "topic" -> topic = JsonFields.text(p);
                case "tenant" -> tenant = JsonFields.text(p);
                case "orderingKey" -> orderingKey = JsonFields.text(p);
                case "idempotencyKey" -> idempotencyKey = JsonFields.text(p);
                case "occurredAt" -> occurredAt = JsonFields.instant(p);
                case "receivedAt" -> receivedAt = JsonFields.instant(p);
                case "payload" -> payload = payloads.read(p);
                default -> p.skipChildren();
            }
        }
        return new EventEnvelope(id, topic, tenant, orderingKey, idempotencyKey, occurredAt, receivedAt, payload);
    }

    private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
        if (p.currentToken() != token) {
            throw new IOException("expected " + what + " (" + token + ") but found " + p.currentToken());
        }
    }

    /** Writes tasks (version 2) wherever Jackson serialises one, e.g. inside a dead letter. */
    public static final class Serializer extends StdSerializer<DeliveryTask> {
        private static final long serialVersionUID = 1L;

        public Serializer() {
            super(DeliveryTask.class);
        }

        @Override
        public void serialize(DeliveryTask task, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeNumberField("v", VERSION);
            EventEnvelope event = task.event();
            gen.writeObjectFieldStart("event");
            JsonFields.writeText(gen, "id", event.id());
            JsonFields.writeText(gen, "topic", event.topic());
            JsonFields.writeText(gen, "tenant", event.tenant());
            JsonFields.writeText(gen, "orderingKey", event.orderingKey());
            JsonFields.writeText(gen, "idempotencyKey", event.idempotencyKey());
            JsonFields.writeEpochInstant(gen, "occurredAt", event.occurredAt());
            JsonFields.writeEpochInstant(gen, "receivedAt", event.receivedAt());
            gen.writeFieldName("payload");
            provider.defaultSerializeValue(event.payload(), gen);
            gen.writeEndObject();
            JsonFields.writeText(gen, "subscriptionId", task.subscriptionId());
            gen.writeNumberField("attempt", task.attempt());
            JsonFields.writeEpochInstant(gen, "firstAttemptAt", task.firstAttemptAt());
            JsonFields.writeEpochInstant(gen, "dueAt", task.dueAt());
            gen.writeNumberField("sourcePartition", task.sourcePartition());
            gen.writeNumberField("sourceOffset", task.sourceOffset());
            gen.writeEndObject();
        }
    }

    /** Reads tasks of either version wherever Jackson deserialises one; the payload becomes a tree. */
    public static final class Deserializer extends StdDeserializer<DeliveryTask> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(DeliveryTask.class);
        }

        @Override
        public DeliveryTask deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return read(p, parser -> {
                    JsonNode node = ctxt.readTree(parser);
                    return node == null ? NullNode.instance : node;
                });
            } catch (NullPointerException e) {
                throw JsonMappingException.from(p, "a required field of the delivery task is missing: "
                        + e.getMessage(), e);
            }
        }
    }
}
