package io.hookline.client;

import java.util.Objects;

/**
 * One event of a batch publish.
 *
 * @param payload        what {@link HooklineClient#publish(String, Object)} accepts: a Jackson-serialisable object,
 *                       a {@link com.fasterxml.jackson.databind.JsonNode}, or a String / byte[] of JSON text (which
 *                       must hold exactly one JSON value)
 * @param idempotencyKey the caller's key, or null for a client-generated one (reused across retries)
 * @param orderingKey    the ordering key, or null
 */
public record BatchEvent(Object payload, String idempotencyKey, String orderingKey) {
    public BatchEvent {
        Objects.requireNonNull(payload, "payload (use NullNode.getInstance() to publish a JSON null)");
        HeaderValues.check(idempotencyKey, "idempotencyKey");
        HeaderValues.check(orderingKey, "orderingKey");
    }

    public static BatchEvent of(Object payload) {
        return new BatchEvent(payload, null, null);
    }

    public BatchEvent withIdempotencyKey(String key) {
        return new BatchEvent(payload, key, orderingKey);
    }

    public BatchEvent withOrderingKey(String key) {
        return new BatchEvent(payload, idempotencyKey, key);
    }
}
