package io.hookline.common.event;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Objects;

/**
 * One event to deliver to one subscription, as written on {@code hookline.deliveries} (key = subscription id)
 * and on the retry topics. {@code v} versions the record: fields are only ever added, and readers ignore
 * fields they do not know. Its JSON form is {@link DeliveryTaskCodec}'s.
 *
 * @param sourcePartition the events-topic partition the event came from (what "ordered" subscriptions order by)
 * @param sourceOffset    its offset there
 */
@JsonSerialize(using = DeliveryTaskCodec.Serializer.class)
@JsonDeserialize(using = DeliveryTaskCodec.Deserializer.class)
public record DeliveryTask(
        int v,
        EventEnvelope event,
        String subscriptionId,
        int attempt,
        Instant firstAttemptAt,
        Instant dueAt,
        int sourcePartition,
        long sourceOffset) {

    public static final int CURRENT_VERSION = DeliveryTaskCodec.VERSION;

    public DeliveryTask {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(subscriptionId, "subscriptionId");
    }

    public static DeliveryTask first(EventEnvelope event, String subscriptionId, Instant now, int partition,
                                     long offset) {
        return new DeliveryTask(CURRENT_VERSION, event, subscriptionId, 1, null, now, partition, offset);
    }

    /** The task for the next attempt, due at {@code dueAt}. */
    public DeliveryTask nextAttempt(Instant firstAttempt, Instant due) {
        return new DeliveryTask(CURRENT_VERSION, event, subscriptionId, attempt + 1,
                firstAttemptAt != null ? firstAttemptAt : firstAttempt, due, sourcePartition, sourceOffset);
    }
}
