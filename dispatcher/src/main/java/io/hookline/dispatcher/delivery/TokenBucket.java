package io.hookline.dispatcher.delivery;

/**
 * A subscription's request rate limit. The burst is a tenth of a second's worth (at least one request), so over
 * any window of a few seconds the rate stays within a few percent of the limit. Callers learn how long to wait
 * instead of blocking, so a limited subscription never holds up another one. Not thread-safe: used only on the
 * delivery scheduler's thread.
 */
final class TokenBucket {
    private static final double BURST_SECONDS = 0.1;

    private double ratePerSecond;
    private double capacity;
    private double tokens;
    private long lastRefillNanos;

    TokenBucket(double ratePerSecond, long nowNanos) {
        setRate(ratePerSecond);
        this.tokens = capacity;
        this.lastRefillNanos = nowNanos;
    }

    /** Applies a changed limit (the subscription was updated); tokens already earned are kept up to the burst. */
    void setRate(double newRate) {
        if (newRate <= 0 || Double.isNaN(newRate)) {
            throw new IllegalArgumentException("rate must be positive: " + newRate);
        }
        this.ratePerSecond = newRate;
        this.capacity = Math.max(1.0, newRate * BURST_SECONDS);
        this.tokens = Math.min(tokens, capacity);
    }

    double rate() {
        return ratePerSecond;
    }

    /** Takes a token and returns 0, or returns how many nanoseconds until one is available (taking none). */
    long tryTake(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1.0 - tokens) / ratePerSecond * 1e9));
    }

    /** True when the bucket is full again, i.e. forgetting it would not allow a burst above the limit. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed / 1e9 * ratePerSecond);
            lastRefillNanos = nowNanos;
        }
    }
}
