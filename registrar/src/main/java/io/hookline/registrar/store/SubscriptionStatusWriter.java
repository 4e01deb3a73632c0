package io.hookline.registrar.store;

import io.hookline.common.subscription.SubscriptionRecord;
import java.time.Instant;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a subscription's status changes, whoever asks (the enable/disable API or endpoint health): in the
 * caller's transaction, on a row the caller locked, the row gets the new status and the next version, the reason
 * and time are recorded, and the new {@link SubscriptionRecord} is appended to the outbox so dispatchers follow.
 */
public final class SubscriptionStatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionStatusWriter.class);
    /** Disabled or enabled through the API. */
    public static final String MANUAL = "manual";
    /** Disabled because the endpoint answered {@code 410 Gone}. */
    public static final String GONE = "gone";
    /** Disabled because the endpoint failed continuously for longer than {@code HOOKLINE_DISABLE_AFTER}. */
    public static final String FAILING = "failing";

    private final SubscriptionRepository subscriptions;
    private final OutboxRepository outbox;

    public SubscriptionStatusWriter(SubscriptionRepository subscriptions, OutboxRepository outbox) {
        this.subscriptions = subscriptions;
        this.outbox = outbox;
    }

    /**
     * Gives the locked row {@code current} the status {@code status}; returns the new record, or {@code current}
     * unchanged (no version bump, nothing broadcast) when it already has that status, so repeats are harmless.
     */
    public SubscriptionRecord change(Handle h, SubscriptionRecord current, String status, String reason, Instant now) {
        if (status.equals(current.status())) {
            return current;
        }
        SubscriptionRecord next = new SubscriptionRecord(current.id(), current.tenant(), current.url(),
                current.topics(), current.description(), current.headers(), current.rateLimitPerSecond(),
                current.maxInFlight(), current.timeoutMs(), current.retrySchedule(), current.maxAgeSeconds(),
                current.ordering(), current.metadata(), status, current.version() + 1, current.secrets(),
                current.createdAt(), now);
        subscriptions.update(h, next);
        subscriptions.recordStatusChange(h, next.id(), reason, now);
        outbox.subscriptionChanged(h, next);
        LOG.info("subscription {} updated to version {} (status {}{})", next.id(), next.version(), next.status(),
                reason == null ? "" : ", reason " + reason);
        return next;
    }
}
