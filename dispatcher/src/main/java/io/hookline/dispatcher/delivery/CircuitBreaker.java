package io.hookline.dispatcher.delivery;

import java.util.Locale;

/**
 * One subscription's circuit breaker (DESIGN.md 4.7). Closed: requests go out and consecutive failures are
 * counted; at {@code threshold} it opens. Open: no request goes out until {@code openFor} has passed, then it is
 * half-open and lets exactly one probe through; the probe's success closes it, its failure opens it again.
 * Scheduler thread only; times are {@code System.nanoTime()} values.
 */
final class CircuitBreaker {
    enum State {
        CLOSED, OPEN, HALF_OPEN;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final int threshold;
    private final long openForNanos;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntilNanos;

    CircuitBreaker(int threshold, long openForNanos) {
        this.threshold = threshold;
        this.openForNanos = openForNanos;
    }

    State state() {
        return state;
    }

    /** True if a request may go out now; an open breaker whose time is up turns half-open and lets this one probe. */
    boolean tryAcquire(long now) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openUntilNanos >= 0) {
                    state = State.HALF_OPEN;
                    return true;
                }
                return false;
            default:
                return false; // half-open: the probe is out
        }
    }

    /** How long a request refused now should wait: until the breaker may probe again. */
    long nanosUntilProbe(long now) {
        return state == State.OPEN ? Math.max(0, openUntilNanos - now) : openForNanos;
    }

    void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
    }

    void onFailure(long now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || (state == State.CLOSED && consecutiveFailures >= threshold)) {
            state = State.OPEN;
            openUntilNanos = now + openForNanos;
        }
    }

    /** A closed breaker with no failures remembers nothing: it can be dropped. */
    boolean isPristine() {
        return state == State.CLOSED && consecutiveFailures == 0;
    }
}
