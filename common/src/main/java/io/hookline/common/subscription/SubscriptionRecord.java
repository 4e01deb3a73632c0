package io.hookline.common.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A subscription as broadcast on the compacted {@code hookline.subscriptions} topic (key = id, tombstone =
 * deleted). The registrar's database is the source of truth; this record is what dispatchers act on.
 * Secrets travel encrypted with {@code HOOKLINE_SECRET_KEY}; only services holding that key can sign.
 */
public record SubscriptionRecord(
        String id,
        String tenant,
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
        String status,
        long version,
        List<SigningSecret> secrets,
        Instant createdAt,
        Instant updatedAt) {

    public static final String ACTIVE = "active";
    public static final String DISABLED = "disabled";
    public static final int DEFAULT_TIMEOUT_MS = 15_000;

    /**
     * An encrypted signing secret. {@code expiresAt} is null for the current secret and set for a previous one
     * that keeps signing until the end of a rotation's grace period.
     */
    public record SigningSecret(String encrypted, Instant expiresAt) {
    }

    public boolean isActive() {
        return ACTIVE.equals(status);
    }

    public int timeoutMsOrDefault() {
        return timeoutMs != null ? timeoutMs : DEFAULT_TIMEOUT_MS;
    }

    /** The secrets that sign at {@code now}: the current one plus any still in a rotation's grace period. */
    public List<SigningSecret> signingSecretsAt(Instant now) {
        return secrets.stream().filter(s -> s.expiresAt() == null || s.expiresAt().isAfter(now)).toList();
    }
}
