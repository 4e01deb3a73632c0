package io.hookline.bench.load;

import java.util.Arrays;

/**
 * Collects latency samples from many threads into one growable array. A benchmark records at most a few million
 * samples, so keeping every one (8 bytes each) is cheaper and more exact than a histogram.
 */
public final class LatencyRecorder {
    private long[] samples;
    private int count;

    public LatencyRecorder(int expected) {
        samples = new long[Math.max(16, expected)];
    }

    public synchronized void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = nanos;
    }

    public synchronized int count() {
        return count;
    }

    /** The summary of everything recorded so far (on a copy: recording may continue). */
    public synchronized LatencySummary summary() {
        return LatencySummary.of(Arrays.copyOf(samples, count), count);
    }
}
