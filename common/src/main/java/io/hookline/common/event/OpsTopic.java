package io.hookline.common.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.json.Json;
import java.time.Instant;

/**
 * The system Hookline topic {@code hookline.ops} of tenant {@code default}: operational events, which operators
 * subscribe to like to any other topic (DESIGN.md 4.9). Each event's payload is a JSON object whose {@code type}
 * names the event and whose {@code at} says when it happened. The registrar publishes {@code subscription.disabled};
 * the dispatcher publishes {@code delivery.exhausted} and {@code delivery.recovered}.
 */
public final class OpsTopic {
    public static final String NAME = "hookline.ops";
    public static final String TENANT = "default";
    /** Operational events are few; one partition keeps them in the order they happened. */
    public static final int PARTITIONS = 1;

    public static final String SUBSCRIPTION_DISABLED = "subscription.disabled";
    public static final String DELIVERY_EXHAUSTED = "delivery.exhausted";
    public static final String DELIVERY_RECOVERED = "delivery.recovered";

    private OpsTopic() {
    }

    /** A payload of the given type; the caller adds the type's fields, then {@link #event} stamps {@code at}. */
    public static ObjectNode payload(String type) {
        return Json.MAPPER.createObjectNode().put("type", type);
    }

    /** The event carrying {@code payload}, with a fresh id. */
    public static EventEnvelope event(ObjectNode payload, Instant at) {
        return event(EventIds.newEventId(), null, payload, at);
    }

    /**
     * The event carrying {@code payload} with the given id; with an {@code idempotencyKey} the fan-out delivers one
     * copy per id within its dedupe window, as for an idempotent publish.
     */
    public static EventEnvelope event(String id, String idempotencyKey, ObjectNode payload, Instant at) {
        payload.put("at", at.toString());
        return new EventEnvelope(id, NAME, TENANT, null, idempotencyKey, at, at, payload);
    }
}
