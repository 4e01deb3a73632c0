package io.hookline.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a publish is retried when the gateway is unreachable, times out, or answers 503/429/502/504.
 *
 * <p>Before retry {@code n} (1 for the first retry) the client waits
 * {@code min(maxBackoff, initialBackoff × multiplier^(n-1))}, reduced by a random fraction of up to
 * {@code jitter} so that many producers recovering from the same outage do not retry in lock-step. When the
 * response carried {@code Retry-After}, the client never retries sooner than that: it waits the Retry-After plus
 * a random share (up to {@code jitter}) of the backoff. A Retry-After longer than {@link #maxRetryAfter()} ends
 * the retries at once with a {@link HooklineUnavailableException}, rather than blocking the caller for minutes.
 *
 * @param maxAttempts    requests sent at most for one publish, the first included (1 = no retries)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff     the wait never grows beyond this (Retry-After may ask for more, up to maxRetryAfter)
 * @param multiplier     growth of the wait per retry, at least 1
 * @param jitter         fraction of randomness in each wait, 0 (none) to 1 (anywhere between 0 and the wait)
 * @param maxRetryAfter  longest Retry-After the client is willing to wait for
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                          double jitter, Duration maxRetryAfter) {

    private static final RetryPolicy DEFAULTS =
            new RetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.5, Duration.ofSeconds(60));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        requireNonNegative(initialBackoff, "initialBackoff");
        requireNonNegative(maxBackoff, "maxBackoff");
        requireNonNegative(maxRetryAfter, "maxRetryAfter");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number of at least 1, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
        }
    }

    /**
     * 6 attempts, waits of about 0.2 s, 0.4 s, 0.8 s, 1.6 s, 3.2 s (50 % jitter, at most 10 s each), Retry-After
     * honoured up to 60 s.
     */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** A single attempt: every failure is reported at once. */
    public static RetryPolicy none() {
        return DEFAULTS.withMaxAttempts(1);
    }

    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
    }

    public RetryPolicy withBackoff(Duration initialBackoff, Duration maxBackoff) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
    }

    public RetryPolicy withMultiplier(double multiplier) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
    }

    public RetryPolicy withJitter(double jitter) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
    }

    public RetryPolicy withMaxRetryAfter(Duration maxRetryAfter) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
    }

    /**
     * The wait before retry number {@code retry} (1-based).
     *
     * @param retryAfter the server's Retry-After, or null
     * @param random     a uniformly distributed number in [0, 1)
     */
    Duration delayBeforeRetry(int retry, Duration retryAfter, double random) {
        double nominalNanos = Math.min((double) maxBackoff.toNanos(),
                initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1)));
        if (retryAfter != null) {
            return retryAfter.plusNanos((long) (nominalNanos * jitter * random));
        }
        return Duration.ofNanos((long) (nominalNanos * (1.0 - jitter * random)));
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
