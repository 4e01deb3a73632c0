package io.hookline.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;

/**
 * The JSON form of an {@link AttemptRecord}, written and read by hand: one is written per delivery attempt and read
 * by the registrar, and record binding (reflective accessors, {@code DateTimeFormatter} for {@code startedAt}) showed
 * up on both sides in the delivery profiles. The bytes are the ones record binding produced: fields in component
 * order, nulls omitted, {@code startedAt} as ISO-8601. Unknown fields are skipped.
 */
public final class AttemptRecordCodec {
    private AttemptRecordCodec() {
    }

    /** Writes attempt records wherever Jackson serialises one. */
    public static final class Serializer extends StdSerializer<AttemptRecord> {
        private static final long serialVersionUID = 1L;

        public Serializer() {
            super(AttemptRecord.class);
        }

        @Override
        public void serialize(AttemptRecord a, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeNumberField("v", a.v());
            JsonFields.writeText(gen, "id", a.id());
            JsonFields.writeText(gen, "subscriptionId", a.subscriptionId());
            JsonFields.writeText(gen, "tenant", a.tenant());
            JsonFields.writeText(gen, "eventId", a.eventId());
            JsonFields.writeText(gen, "topic", a.topic());
            gen.writeNumberField("attempt", a.attempt());
            JsonFields.writeText(gen, "url", a.url());
            JsonFields.writeIsoInstant(gen, "startedAt", a.startedAt());
            gen.writeNumberField("latencyMs", a.latencyMs());
            JsonFields.writeText(gen, "outcome", a.outcome());
            if (a.statusCode() != null) {
                gen.writeNumberField("statusCode", a.statusCode());
            }
            JsonFields.writeText(gen, "error", a.error());
            if (a.retryAfterMs() != null) {
                gen.writeNumberField("retryAfterMs", a.retryAfterMs());
            }
            JsonFields.writeText(gen, "responseExcerpt", a.responseExcerpt());
            gen.writeEndObject();
        }
    }

    /** Reads attempt records wherever Jackson deserialises one. */
    public static final class Deserializer extends StdDeserializer<AttemptRecord> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(AttemptRecord.class);
        }

        @Override
        public AttemptRecord deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (AttemptRecord) ctxt.handleUnexpectedToken(AttemptRecord.class, p);
            }
            int v = 0;
            String id = null;
            String subscriptionId = null;
            String tenant = null;
            String eventId = null;
            String topic = null;
            int attempt = 0;
            String url = null;
            Instant startedAt = null;
            long latencyMs = 0;
            String outcome = null;
            Integer statusCode = null;
            String error = null;
            Long retryAfterMs = null;
            String responseExcerpt = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "v" -> v = p.getValueAsInt();
                    case "id" -> id = JsonFields.text(p);
                    case "subscriptionId" -> subscriptionId = JsonFields.text(p);
                    case "tenant" -> tenant = JsonFields.text(p);
                    case "eventId" -> eventId = JsonFields.text(p);
                    case "topic" -> topic = JsonFields.text(p);
                    case "attempt" -> attempt = p.getValueAsInt();
                    case "url" -> url = JsonFields.text(p);
                    case "startedAt" -> startedAt = JsonFields.instant(p);
                    case "latencyMs" -> latencyMs = p.getValueAsLong();
                    case "outcome" -> outcome = JsonFields.text(p);
                    case "statusCode" -> statusCode = JsonFields.integer(p);
                    case "error" -> error = JsonFields.text(p);
                    case "retryAfterMs" -> retryAfterMs = JsonFields.whole(p);
                    case "responseExcerpt" -> responseExcerpt = JsonFields.text(p);
                    default -> p.skipChildren();
                }
            }
            return new AttemptRecord(v, id, subscriptionId, tenant, eventId, topic, attempt, url, startedAt, latencyMs,
                    outcome, statusCode, error, retryAfterMs, responseExcerpt);
        }
    }
}
