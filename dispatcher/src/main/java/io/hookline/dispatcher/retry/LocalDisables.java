package io.hookline.dispatcher.retry;

import io.hookline.common.subscription.SubscriptionRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subscriptions this instance stopped delivering to on its own (a {@code 410 Gone}) before the registrar's
 * disabled record arrives. An override holds only for the record version it was made on: any newer version the
 * registrar publishes (the disable itself, or an admin re-enabling a fixed endpoint) replaces it. It lives in
 * memory: after a restart the registrar's record is what counts.
 */
public final class LocalDisables {
    private final Map<String, Long> disabledAt = new ConcurrentHashMap<>();

    public void disable(SubscriptionRecord subscription) {
        disabledAt.merge(subscription.id(), subscription.version(), Math::max);
    }

    public boolean isDisabled(SubscriptionRecord subscription) {
        Long version = disabledAt.get(subscription.id());
        if (version == null) {
            return false;
        }
        if (subscription.version() > version) {
            disabledAt.remove(subscription.id(), version);
            return false;
        }
        return true;
    }

    public int size() {
        return disabledAt.size();
    }
}
