package io.hookline.dispatcher.retry;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Consecutive failed attempts per subscription, to tell when a failing endpoint recovers (DESIGN.md 4.9): a success
 * after at least {@code threshold} failures in a row is a recovery. A lone failure between successes is routine for
 * a busy endpoint, so the threshold keeps such blips from being reported as recoveries.
 *
 * <p>Counted in memory by the instance that owns the subscription's deliveries partition (all of its attempts,
 * retries included, run there). A restart or a partition moving to another instance starts the count over: a
 * recovery spanning one goes unreported, and a restarting dispatcher never reports one twice. One entry per
 * subscription with failures and no success since, dropped at its next success. Scheduler thread only.
 */
public final class FailureStreaks {

    /** A subscription that succeeded after {@code failures} failed attempts in a row, the first at {@code since}. */
    public record Recovery(String subscriptionId, int failures, Instant failingSince) {
    }

    private static final class Streak {
        final Instant since;
        int failures;

        Streak(Instant since) {
            this.since = since;
        }
    }

    private final int threshold;
    private final Map<String, Streak> streaks = new HashMap<>();

    /** @param threshold failures in a row after which a success is a recovery; 0 = never report one */
    public FailureStreaks(int threshold) {
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must not be negative, got " + threshold);
        }
        this.threshold = threshold;
    }

    public void failed(String subscriptionId, Instant startedAt) {
        if (threshold == 0) {
            return;
        }
        streaks.computeIfAbsent(subscriptionId, id -> new Streak(startedAt)).failures++;
    }

    /** Ends the subscription's streak; a recovery if it was long enough. */
    public Optional<Recovery> succeeded(String subscriptionId) {
        Streak streak = streaks.remove(subscriptionId);
        if (streak == null || streak.failures < threshold) {
            return Optional.empty();
        }
        return Optional.of(new Recovery(subscriptionId, streak.failures, streak.since));
    }

    /** Subscriptions with a streak going on. */
    public int size() {
        return streaks.size();
    }
}
