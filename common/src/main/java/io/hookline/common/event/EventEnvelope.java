package io.hookline.common.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An accepted event as stored on {@code hookline.events.<topic>}. The payload is the producer's JSON, untouched.
 */
public record EventEnvelope(
        String id,
        String topic,
        String tenant,
        String orderingKey,
        String idempotencyKey,
        Instant occurredAt,
        Instant receivedAt,
        JsonNode payload) {

    public EventEnvelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(payload, "payload");
    }

    /** The Kafka record key: the ordering key if given, so related events share a partition; else the id. */
    public String kafkaKey() {
        return orderingKey != null ? orderingKey : id;
    }
}
