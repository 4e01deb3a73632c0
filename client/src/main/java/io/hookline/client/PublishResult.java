package io.hookline.client;

import java.util.Objects;

/**
 * The gateway accepted an event: it is stored in Kafka and will be delivered to every matching subscription.
 *
 * @param id    the event id ({@code evt_…}); receivers see it as the {@code webhook-id} header
 * @param topic the topic the event was published to
 */
public record PublishResult(String id, String topic) {
    public PublishResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
    }
}
