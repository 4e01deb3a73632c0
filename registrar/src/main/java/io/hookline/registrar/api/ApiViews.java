package io.hookline.registrar.api;

import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.SubscriptionRecord.SigningSecret;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.registrar.store.StoredApiKey;
import io.hookline.registrar.store.SubscriptionRepository.StatusInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes the API answers with. Secrets never appear except the plaintext signing secret right after
 * creation or rotation, and the API key right after creation; stored hashes and ciphertexts never do.
 */
public final class ApiViews {
    private ApiViews() {
    }

    /** The subscription with why and since when it has its status (when known). */
    public static Map<String, Object> subscription(SubscriptionRecord s, String plaintextSecret, StatusInfo status) {
        Map<String, Object> base = subscription(s, plaintextSecret);
        if (status == null || (status.reason() == null && status.changedAt() == null)) {
            return base;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        base.forEach((name, value) -> {
            view.put(name, value);
            if (name.equals("status")) {
                putIfSet(view, "statusReason", status.reason());
                putIfSet(view, "statusChangedAt", status.changedAt());
            }
        });
        return view;
    }

    public static Map<String, Object> subscription(SubscriptionRecord s, String plaintextSecret) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", s.id());
        view.put("tenant", s.tenant());
        view.put("url", s.url());
        view.put("topics", s.topics());
        putIfSet(view, "description", s.description());
        view.put("headers", s.headers() == null ? Map.of() : s.headers());
        putIfSet(view, "rateLimitPerSecond", s.rateLimitPerSecond());
        putIfSet(view, "maxInFlight", s.maxInFlight());
        putIfSet(view, "timeoutMs", s.timeoutMs());
        putIfSet(view, "retrySchedule", s.retrySchedule());
        putIfSet(view, "maxAgeSeconds", s.maxAgeSeconds());
        view.put("ordering", s.ordering());
        putIfSet(view, "metadata", s.metadata());
        view.put("status", s.status());
        view.put("version", s.version());
        if (plaintextSecret != null) {
            view.put("secret", plaintextSecret);
        }
        Instant previousUntil = null;
        Instant now = Instant.now();
        for (SigningSecret secret : s.secrets()) {
            if (secret.expiresAt() != null && secret.expiresAt().isAfter(now)
                    && (previousUntil == null || secret.expiresAt().isAfter(previousUntil))) {
                previousUntil = secret.expiresAt();
            }
        }
        putIfSet(view, "previousSecretExpiresAt", previousUntil);
        view.put("createdAt", s.createdAt());
        view.put("updatedAt", s.updatedAt());
        return view;
    }

    public static Map<String, Object> topic(TopicRecord t, String kafkaTopic) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", t.name());
        view.put("tenant", t.tenant());
        view.put("partitions", t.partitions());
        putIfSet(view, "description", t.description());
        putIfSet(view, "schema", t.schema());
        view.put("kafkaTopic", kafkaTopic);
        view.put("createdAt", t.createdAt());
        return view;
    }

    public static Map<String, Object> apiKey(StoredApiKey k, String plaintextKey) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", k.record().id());
        view.put("tenant", k.record().tenant());
        view.put("scopes", k.record().scopes());
        putIfSet(view, "description", k.description());
        if (plaintextKey != null) {
            view.put("key", plaintextKey);
        }
        view.put("createdAt", k.record().createdAt());
        return view;
    }

    private static void putIfSet(Map<String, Object> view, String name, Object value) {
        if (value != null) {
            view.put(name, value);
        }
    }
}
