package io.hookline.dispatcher;

import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Decodes subscription records into the form the dispatcher keeps in memory for every subscription (issue 5: a
 * million must fit in under 1 GiB): fields no stage reads (description, metadata, timestamps) are dropped, lists
 * and maps are compact immutable copies, and strings repeated across subscriptions (tenant, status, ordering,
 * topic patterns, header names) are shared instead of held once per record.
 */
public final class SubscriptionRecords {
    private SubscriptionRecords() {
    }

    public static SubscriptionRecord decode(byte[] json) {
        return compact(Json.read(json, SubscriptionRecord.class));
    }

    static SubscriptionRecord compact(SubscriptionRecord r) {
        Map<String, String> headers = null;
        if (r.headers() != null && !r.headers().isEmpty()) {
            Map<String, String> copy = new HashMap<>();
            r.headers().forEach((name, value) -> {
                if (name != null && value != null) {
                    copy.put(name.intern(), value);
                }
            });
            headers = Map.copyOf(copy);
        }
        return new SubscriptionRecord(r.id(), intern(r.tenant()), r.url(), compactList(r.topics(), String::intern),
                null, headers, r.rateLimitPerSecond(), r.maxInFlight(), r.timeoutMs(),
                compactList(r.retrySchedule(), String::intern), r.maxAgeSeconds(), intern(r.ordering()), null,
                intern(r.status()), r.version(),
                r.secrets() == null ? List.of() : compactList(r.secrets(), UnaryOperator.identity()), null, null);
    }

    private static <T> List<T> compactList(List<T> list, UnaryOperator<T> share) {
        return list == null ? null : list.stream().filter(Objects::nonNull).map(share).toList();
    }

    private static String intern(String value) {
        return value == null ? null : value.intern();
    }
}
