package io.hookline.registrar.health;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.registrar.store.AttemptRepository;
import io.hookline.registrar.store.AttemptRepository.FailureStreak;
import io.hookline.registrar.store.SubscriptionRepository;
import io.hookline.registrar.store.SubscriptionRepository.StatusInfo;
import io.hookline.registrar.store.SubscriptionStatusWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, from newly recorded delivery attempts, which subscriptions to disable (DESIGN.md section 4, promises 4
 * and 9): one whose endpoint answered {@code 410 Gone} (reason {@code gone}), and one that has failed
 * continuously for longer than {@code disableAfter} with no success (reason {@code failing}: from its first
 * failure after its last success, or after its last re-enable, to its latest failure). Runs in the recorder's
 * transaction, so the disable, its outbox rows and the stored attempts commit together, and an attempt read twice
 * (stored already) decides nothing again. Cost: for each subscription with failures in the batch, one status
 * read and, unless the batch had a 410, one indexed streak query.
 */
public final class EndpointHealth {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointHealth.class);
    static final String GONE_OUTCOME = "gone";

    /** A subscription this batch disabled. */
    public record Disabled(String subscriptionId, String tenant, String reason, long version, String eventId,
                           String detail) {
    }

    private final SubscriptionRepository subscriptions;
    private final AttemptRepository attempts;
    private final SubscriptionStatusWriter statusWriter;
    private final OperationalEvents events;
    private final Duration disableAfter;
    private final MeterRegistry meters;

    public EndpointHealth(SubscriptionRepository subscriptions, AttemptRepository attempts,
                          SubscriptionStatusWriter statusWriter, OperationalEvents events, Duration disableAfter,
                          MeterRegistry meters) {
        this.subscriptions = subscriptions;
        this.attempts = attempts;
        this.statusWriter = statusWriter;
        this.events = events;
        this.disableAfter = disableAfter;
        this.meters = meters;
    }

    /** Applies the rules to {@code stored}, the attempts this transaction has just inserted. */
    public List<Disabled> apply(Handle h, List<AttemptRecord> stored) {
        // Sorted by id: rows are locked in one order, so two transactions never wait on each other in a cycle.
        Map<String, List<AttemptRecord>> failuresBySubscription = new TreeMap<>();
        for (AttemptRecord a : stored) {
            if (!a.isSuccess()) {
                failuresBySubscription.computeIfAbsent(a.subscriptionId(), k -> new ArrayList<>()).add(a);
            }
        }
        List<Disabled> disabled = new ArrayList<>();
        for (Map.Entry<String, List<AttemptRecord>> e : failuresBySubscription.entrySet()) {
            check(h, e.getKey(), e.getValue()).ifPresent(disabled::add);
        }
        return disabled;
    }

    private Optional<Disabled> check(Handle h, String subscriptionId, List<AttemptRecord> failures) {
        Optional<StatusInfo> status = subscriptions.statusInfo(h, subscriptionId);
        if (status.isEmpty() || !status.get().isActive()) {
            return Optional.empty(); // deleted, or disabled already: nothing to do
        }
        // Failures from before the subscription was (re-)enabled are what the operator just dealt with.
        Instant since = status.get().changedAt();
        Optional<AttemptRecord> gone = failures.stream()
                .filter(a -> GONE_OUTCOME.equals(a.outcome()))
                .filter(a -> since == null || !a.startedAt().isBefore(since))
                .findFirst();
        if (gone.isPresent()) {
            AttemptRecord a = gone.get();
            return disable(h, subscriptionId, SubscriptionStatusWriter.GONE, "the endpoint answered "
                    + (a.statusCode() != null ? "HTTP " + a.statusCode() : "gone") + " to attempt " + a.id()
                    + " (event " + a.eventId() + ")");
        }
        Optional<FailureStreak> streak = attempts.failureStreak(h, subscriptionId, since);
        if (streak.isPresent() && streak.get().span().compareTo(disableAfter) > 0) {
            FailureStreak s = streak.get();
            return disable(h, subscriptionId, SubscriptionStatusWriter.FAILING, s.failures()
                    + " failed attempts and no success from " + s.firstFailureAt() + " to " + s.lastFailureAt()
                    + " (more than " + disableAfter + ")");
        }
        return Optional.empty();
    }

    private Optional<Disabled> disable(Handle h, String subscriptionId, String reason, String detail) {
        Optional<SubscriptionRecord> locked = subscriptions.lock(h, subscriptionId);
        if (locked.isEmpty() || !locked.get().isActive()) {
            return Optional.empty(); // changed since it was read
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SubscriptionRecord updated = statusWriter.change(h, locked.get(), SubscriptionRecord.DISABLED, reason, now);
        String eventId = events.subscriptionDisabled(h, updated, reason, now).id();
        return Optional.of(new Disabled(subscriptionId, updated.tenant(), reason, updated.version(), eventId, detail));
    }

    /** After the commit: one log line and one count per disabled subscription. */
    public void committed(List<Disabled> disabled) {
        for (Disabled d : disabled) {
            Counter.builder("hookline.registrar.subscriptions.auto.disabled")
                    .description("Subscriptions disabled automatically, by reason (gone, failing)")
                    .tag("reason", d.reason())
                    .register(meters)
                    .increment();
            LOG.warn("subscription {} of tenant {} disabled (reason {}, version {}, event {} on {}): {}",
                    d.subscriptionId(), d.tenant(), d.reason(), d.version(), d.eventId(), OperationalEvents.TOPIC,
                    d.detail());
        }
    }
}
