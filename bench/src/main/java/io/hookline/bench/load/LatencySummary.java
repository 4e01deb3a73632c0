package io.hookline.bench.load;

import java.util.Arrays;

/**
 * Percentiles of a set of latency samples (nanoseconds), nearest-rank: the p-th percentile is the smallest sample
 * such that at least p % of all samples are less than or equal to it. No interpolation, so every reported number
 * is a latency that was actually observed.
 */
public record LatencySummary(int count, long p50, long p90, long p99, long max, double mean) {

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

    /** Summarises the first {@code count} samples of {@code samples}; sorts that range in place. */
    public static LatencySummary of(long[] samples, int count) {
        if (count < 0 || count > samples.length) {
            throw new IllegalArgumentException("count " + count + " outside 0.." + samples.length);
        }
        if (count == 0) {
            return EMPTY;
        }
        Arrays.sort(samples, 0, count);
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += samples[i];
        }
        return new LatencySummary(count, rank(samples, count, 50), rank(samples, count, 90), rank(samples, count, 99),
                samples[count - 1], sum / count);
    }

    public static LatencySummary of(long[] samples) {
        return of(samples, samples.length);
    }

    /** Nearest rank of percentile {@code p} (0 < p <= 100) in the sorted first {@code count} samples. */
    static long rank(long[] sorted, int count, double p) {
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count, rank) - 1)];
    }
}
