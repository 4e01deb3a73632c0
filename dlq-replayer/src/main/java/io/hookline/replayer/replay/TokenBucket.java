package io.hookline.replayer.replay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Paces a replay job: a token bucket of capacity one refilled at {@code ratePerSecond}, so permits are spaced
 * evenly and any window of ten or more permits runs within a few percent of the rate (no initial burst).
 */
public final class TokenBucket {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final long intervalNanos;
    private long nextFreeNanos;

    public TokenBucket(double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.intervalNanos = Math.max(1, (long) (TimeUnit.SECONDS.toNanos(1) / ratePerSecond));
        this.nextFreeNanos = System.nanoTime();
    }

    /** Waits for the next permit; false if {@code stop} turned true while waiting (the permit is not taken). */
    public boolean acquire(BooleanSupplier stop) {
        while (true) {
            if (stop.getAsBoolean()) {
                return false;
            }
            long wait = nextFreeNanos - System.nanoTime();
            if (wait <= 0) {
                break;
            }
            LockSupport.parkNanos(Math.min(wait, SLICE_NANOS));
        }
        nextFreeNanos = Math.max(nextFreeNanos, System.nanoTime()) + intervalNanos;
        return true;
    }
}
