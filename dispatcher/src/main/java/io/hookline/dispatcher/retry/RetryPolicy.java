package io.hookline.dispatcher.retry;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.delivery.AttemptOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what follows an attempt (DESIGN.md 4.4, 4.5): success is final; {@code 410 Gone}
 * dead-letters (and the caller disables the subscription); a permanent failure (destination refused by the
 * SSRF policy, a request that cannot be built — never an HTTP status: every non-2xx but 410 is retried) is
 * dead-lettered at once; a retryable failure is retried after the subscription's next delay with ±10 % jitter,
 * not before a {@code Retry-After} the endpoint sent (clamped to the schedule's shortest and longest delay), unless
 * the schedule is exhausted or the next attempt would fall after the subscription's max age, counted from the
 * first attempt. Pure: time and randomness come in as arguments.
 */
public final class RetryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);
    public static final double JITTER = 0.10;
    /**
     * How long a task without a max age may be held back by an open breaker (unless its schedule spans longer):
     * DESIGN.md 4.9's default for disabling an endpoint that keeps failing, so held-back tasks outlive it.
     */
    public static final Duration DEFERRAL_LIMIT = Duration.ofDays(3);

    private final RetrySchedule defaultSchedule;
    private final DoubleSupplier random; // uniform in [0, 1)

    public RetryPolicy(RetrySchedule defaultSchedule) {
        this(defaultSchedule, () -> ThreadLocalRandom.current().nextDouble());
    }

    public RetryPolicy(RetrySchedule defaultSchedule, DoubleSupplier random) {
        this.defaultSchedule = defaultSchedule;
        this.random = random;
    }

    /**
     * @param startedAt when the attempt started (the first attempt's time if the task has none yet)
     * @param now       when it ended: the delay counts from here
     */
    public RetryDecision decide(DeliveryTask task, SubscriptionRecord subscription, AttemptOutcome outcome,
                                Instant startedAt, Instant now) {
        switch (outcome.kind()) {
            case SUCCESS:
                return new RetryDecision.Delivered();
            case GONE:
                return new RetryDecision.GiveUp(DeadLetter.GONE, outcome.reason());
            case PERMANENT:
                return new RetryDecision.GiveUp(DeadLetter.PERMANENT, outcome.reason());
            default:
                break;
        }
        RetrySchedule schedule = scheduleOf(subscription);
        Duration base = schedule.delayAfter(task.attempt());
        if (base == null) {
            return new RetryDecision.GiveUp(DeadLetter.EXHAUSTED, "attempt " + task.attempt() + " of "
                    + schedule.maxAttempts() + " failed: " + outcome.reason());
        }
        Duration delay = jittered(base);
        if (outcome.retryAfter() != null) {
            Duration asked = clamp(outcome.retryAfter(), schedule.shortest(), schedule.longest());
            if (asked.compareTo(delay) > 0) {
                delay = asked;
            }
        }
        Instant first = task.firstAttemptAt() != null ? task.firstAttemptAt() : startedAt;
        Instant due = now.plus(delay);
        Long maxAge = subscription == null ? null : subscription.maxAgeSeconds();
        if (maxAge != null && maxAge > 0 && due.isAfter(first.plusSeconds(maxAge))) {
            return new RetryDecision.GiveUp(DeadLetter.MAX_AGE, "the next attempt (in " + delay.toMillis()
                    + " ms) would be past the max age of " + maxAge + " s: " + outcome.reason());
        }
        return new RetryDecision.Retry(task.nextAttempt(first, due), due, delay);
    }

    /**
     * A task the subscription's open circuit breaker holds back (DESIGN.md 4.7): it comes back after {@code wait}
     * (plus up to 10 % so held tasks do not return all at once) with the same attempt number — no attempt was
     * made. The max age still applies, counted from the first attempt or, if there was none, from when the event
     * was received; a subscription without a max age gets {@link #DEFERRAL_LIMIT} (or its schedule's total span if
     * longer), so deferral cannot go on forever.
     */
    public RetryDecision defer(DeliveryTask task, SubscriptionRecord subscription, Duration wait, Instant now) {
        long waitNanos = Math.max(1_000_000, wait.toNanos());
        Duration delay = Duration.ofNanos(waitNanos + Math.round(waitNanos * JITTER * random.getAsDouble()));
        Instant since = task.firstAttemptAt() != null ? task.firstAttemptAt()
                : task.event().receivedAt() != null ? task.event().receivedAt() : now;
        Long maxAgeSeconds = subscription == null ? null : subscription.maxAgeSeconds();
        Duration span = scheduleOf(subscription).delays().stream().reduce(Duration.ZERO, Duration::plus);
        Duration maxAge = maxAgeSeconds != null && maxAgeSeconds > 0 ? Duration.ofSeconds(maxAgeSeconds)
                : span.compareTo(DEFERRAL_LIMIT) > 0 ? span : DEFERRAL_LIMIT;
        Instant due = now.plus(delay);
        if (due.isAfter(since.plus(maxAge))) {
            return new RetryDecision.GiveUp(DeadLetter.MAX_AGE, "held back by the open circuit breaker past the "
                    + "max age of " + maxAge.toSeconds() + " s");
        }
        DeliveryTask later = new DeliveryTask(DeliveryTask.CURRENT_VERSION, task.event(), task.subscriptionId(),
                task.attempt(), task.firstAttemptAt(), due, task.sourcePartition(), task.sourceOffset());
        return new RetryDecision.Retry(later, due, delay);
    }

    /** The subscription's own schedule, or the default one when it has none or an unreadable one. */
    public RetrySchedule scheduleOf(SubscriptionRecord subscription) {
        List<String> own = subscription == null ? null : subscription.retrySchedule();
        if (own == null) {
            return defaultSchedule;
        }
        try {
            return RetrySchedule.parse(own);
        } catch (IllegalArgumentException e) {
            LOG.warn("subscription {} has an unreadable retry schedule {} ({}); using the default", subscription.id(),
                    own, e.getMessage());
            return defaultSchedule;
        }
    }

    /** {@code base} ±10 %, uniformly. */
    Duration jittered(Duration base) {
        double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
        return Duration.ofNanos(Math.max(1, Math.round(base.toNanos() * factor)));
    }

    private static Duration clamp(Duration value, Duration low, Duration high) {
        if (value.compareTo(low) < 0) {
            return low;
        }
        return value.compareTo(high) > 0 ? high : value;
    }
}
