package io.hookline.replayer.replay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Paces a replay job: permits are due at evenly spaced times {@code 1/ratePerSecond} apart, starting now (no
 * initial burst). A worker that comes back late takes every permit that fell due meanwhile (up to the batch it
 * asks for), so a slow write does not lower the job's rate: the schedule, not the worker, sets the pace. How far
 * the schedule may fall behind is bounded by {@link #CATCH_UP}: a stall (GC, a slow commit) is made up for, an
 * outage is not turned into a flood.
 */
public final class TokenBucket {
    static final long CATCH_UP = TimeUnit.SECONDS.toNanos(1);
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long intervalNanos;
    private final long maxLagNanos;
    private long nextDueNanos;

    public TokenBucket(double ratePerSecond) {
        this(ratePerSecond, System.nanoTime());
    }

    TokenBucket(double ratePerSecond, long startNanos) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.intervalNanos = Math.max(1, (long) (TimeUnit.SECONDS.toNanos(1) / ratePerSecond));
        this.maxLagNanos = Math.max(CATCH_UP, intervalNanos);
        this.nextDueNanos = startNanos;
    }

    /**
     * Waits until a permit is due and takes the due ones, at most {@code max}; 0 if {@code stop} turned true while
     * waiting (nothing taken).
     */
    public int acquire(int max, BooleanSupplier stop) {
        while (true) {
            if (stop.getAsBoolean()) {
                return 0;
            }
            long now = System.nanoTime();
            int taken = take(now, max);
            if (taken > 0) {
                return taken;
            }
            LockSupport.parkNanos(Math.min(nextDueNanos - now, SLICE_NANOS));
        }
    }

    /** The permits due at {@code nowNanos}, at most {@code max}, taken; 0 if the next one is not due yet. */
    int take(long nowNanos, int max) {
        if (nowNanos - nextDueNanos < 0) {
            return 0;
        }
        long from = Math.max(nextDueNanos, nowNanos - maxLagNanos);
        long due = (nowNanos - from) / intervalNanos + 1;
        int taken = (int) Math.min(Math.max(1, max), due);
        nextDueNanos = from + taken * intervalNanos;
        return taken;
    }
}
