package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        long[] samples = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // unsorted on purpose
        LatencySummary s = LatencySummary.of(samples);
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.p90()).isEqualTo(90);
        assertThat(s.p99()).isEqualTo(99);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.mean()).isEqualTo(50.5);
    }

    @Test
    void everyPercentileIsAnObservedSample() {
        LatencySummary s = LatencySummary.of(new long[] {7, 3, 1000});
        assertThat(s.p50()).isEqualTo(7);
        assertThat(s.p90()).isEqualTo(1000);
        assertThat(s.p99()).isEqualTo(1000);
        assertThat(s.max()).isEqualTo(1000);
    }

    @Test
    void singleSampleIsEveryPercentile() {
        LatencySummary s = LatencySummary.of(new long[] {42});
        assertThat(s).isEqualTo(new LatencySummary(1, 42, 42, 42, 42, 42.0));
    }

    @Test
    void onlyTheCountedPrefixIsSummarised() {
        LatencySummary s = LatencySummary.of(new long[] {5, 1, 999, 999}, 2);
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.max()).isEqualTo(5);
        assertThat(s.p50()).isEqualTo(1);
    }

    @Test
    void emptyIsZero() {
        assertThat(LatencySummary.of(new long[0])).isEqualTo(LatencySummary.EMPTY);
        assertThatThrownBy(() -> LatencySummary.of(new long[1], 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void p99OfAThousandIgnoresTheTopTen() {
        long[] samples = LongStream.rangeClosed(1, 1000).toArray();
        assertThat(LatencySummary.of(samples).p99()).isEqualTo(990);
    }

    @Test
    void recorderGrowsAndSummarisesFromManyThreads() throws InterruptedException {
        LatencyRecorder recorder = new LatencyRecorder(1);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 1; i <= 1000; i++) {
                    recorder.record(i);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        LatencySummary s = recorder.summary();
        assertThat(s.count()).isEqualTo(4000);
        assertThat(s.max()).isEqualTo(1000);
        assertThat(s.p50()).isEqualTo(500);
    }
}
