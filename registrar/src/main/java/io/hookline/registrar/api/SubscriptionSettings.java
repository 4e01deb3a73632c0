package io.hookline.registrar.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.SubscriptionRecord.SigningSecret;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a client sets on a subscription (DESIGN.md section 6), validated. Null optional members mean "the
 * system default", so defaults can change without rewriting stored subscriptions.
 */
public record SubscriptionSettings(
        String url,
        List<String> topics,
        String description,
        Map<String, String> headers,
        Double rateLimitPerSecond,
        Integer maxInFlight,
        Integer timeoutMs,
        List<String> retrySchedule,
        Long maxAgeSeconds,
        String ordering,
        JsonNode metadata,
        String status) {

    public static final String UNORDERED = "unordered";
    public static final String ORDERED = "ordered";

    /** The starting point of a new subscription: everything default, active, unordered. */
    public static final SubscriptionSettings NEW = new SubscriptionSettings(null, null, null, Map.of(), null, null, null,
            null, null, UNORDERED, null, SubscriptionRecord.ACTIVE);

    public static SubscriptionSettings of(SubscriptionRecord r) {
        return new SubscriptionSettings(r.url(), r.topics(), r.description(),
                r.headers() == null ? Map.of() : r.headers(), r.rateLimitPerSecond(), r.maxInFlight(), r.timeoutMs(),
                r.retrySchedule(), r.maxAgeSeconds(), r.ordering(), r.metadata(), r.status());
    }

    public SubscriptionSettings withStatus(String newStatus) {
        return new SubscriptionSettings(url, topics, description, headers, rateLimitPerSecond, maxInFlight, timeoutMs,
                retrySchedule, maxAgeSeconds, ordering, metadata, newStatus);
    }

    public SubscriptionRecord toRecord(String id, String tenant, long version, List<SigningSecret> secrets,
                                       Instant createdAt, Instant updatedAt) {
        return new SubscriptionRecord(id, tenant, url, topics, description, headers, rateLimitPerSecond, maxInFlight,
                timeoutMs, retrySchedule, maxAgeSeconds, ordering, metadata, status, version, secrets, createdAt,
                updatedAt);
    }
}
