package io.hookline.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The body of a Hookline webhook, {@code {"type": "<topic>", "timestamp": "<ISO-8601>", "data": <payload>}},
 * with the event id from the {@code webhook-id} header.
 *
 * @param id        the event id; the same on every delivery attempt of this event, so receivers dedupe on it
 * @param type      the topic the event was published to
 * @param timestamp when the event occurred
 * @param data      the producer's payload, untouched
 */
public record WebhookEvent(String id, String type, Instant timestamp, JsonNode data) {
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules().build();
    private static final ObjectReader STRICT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(data, "data");
    }

    /**
     * Parses a body. Only parse bodies that {@link WebhookVerifier} accepted — or use
     * {@link WebhookVerifier#verifyEvent}, which does both.
     */
    public static WebhookEvent parse(String id, byte[] body) throws InvalidWebhookException {
        Objects.requireNonNull(body, "body");
        if (id == null || id.isEmpty()) {
            throw new InvalidWebhookException("missing webhook-id");
        }
        JsonNode json;
        try {
            json = STRICT.readTree(body);
        } catch (IOException e) {
            throw new InvalidWebhookException("webhook body is not JSON: " + reason(e), e);
        }
        if (json == null || !json.isObject()) {
            throw new InvalidWebhookException("webhook body is not a JSON object");
        }
        JsonNode type = json.get("type");
        JsonNode timestamp = json.get("timestamp");
        JsonNode data = json.get("data");
        if (type == null || !type.isTextual()) {
            throw new InvalidWebhookException("webhook body has no \"type\" string");
        }
        if (timestamp == null || !timestamp.isTextual()) {
            throw new InvalidWebhookException("webhook body has no \"timestamp\" string");
        }
        if (data == null) {
            throw new InvalidWebhookException("webhook body has no \"data\"");
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(timestamp.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidWebhookException("webhook \"timestamp\" is not an ISO-8601 date-time: " + timestamp.asText(), e);
        }
        return new WebhookEvent(id, type.asText(), at, data);
    }

    private static String reason(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    /** The payload bound to a type with a default mapper (Java time types supported when jackson-datatype-jsr310 is present). */
    public <T> T dataAs(Class<T> type) {
        return dataAs(type, MAPPER);
    }

    /**
     * The payload bound to a type with the caller's mapper.
     *
     * @throws IllegalArgumentException the payload does not fit the type
     */
    public <T> T dataAs(Class<T> type, ObjectMapper mapper) {
        try {
            return mapper.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("webhook data does not fit " + type.getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
