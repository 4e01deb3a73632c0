package io.hookline.replayer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void refusesNonPositiveRates() {
        assertThatThrownBy(() -> new TokenBucket(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFirstPermitIsImmediateAndAStopInterruptsTheWaitForTheNext() {
        TokenBucket bucket = new TokenBucket(0.001); // one permit per 1000 s
        assertThat(bucket.acquire(5, () -> false)).isEqualTo(1);
        int[] checks = {0};
        // The second permit is far away: the wait must end as soon as stop turns true.
        assertThat(bucket.acquire(5, () -> ++checks[0] > 3)).isZero();
    }

    @Test
    void permitsAreEvenlySpacedWithoutAnInitialBurst() {
        TokenBucket bucket = new TokenBucket(20, 0); // one every 50 ms
        assertThat(bucket.take(0, 10)).isEqualTo(1);
        assertThat(bucket.take(0, 10)).isZero();
        assertThat(bucket.take(49 * MS, 10)).isZero();
        assertThat(bucket.take(50 * MS, 10)).isEqualTo(1);
        assertThat(bucket.take(99 * MS, 10)).isZero();
    }

    @Test
    void aLateWorkerTakesWhatFellDueMeanwhileSoTheRateHolds() {
        TokenBucket bucket = new TokenBucket(20, 0);
        assertThat(bucket.take(0, 10)).isEqualTo(1);
        // Back after 180 ms: the permits of 50, 100 and 150 ms are due, the one of 200 ms is not.
        assertThat(bucket.take(180 * MS, 10)).isEqualTo(3);
        assertThat(bucket.take(199 * MS, 10)).isZero();
        assertThat(bucket.take(200 * MS, 10)).isEqualTo(1);
        // A worker that always comes back late still gets exactly the permits due so far: the 199 of 0..9900 ms.
        int total = 5;
        long last = 0;
        for (long t = 201; t <= 10_000; t += 137) {
            total += bucket.take(t * MS, 10);
            last = t;
        }
        assertThat(last).isEqualTo(9928);
        assertThat(total).isEqualTo(199);
    }

    @Test
    void aBatchIsCappedAndTheRestIsTakenNext() {
        TokenBucket bucket = new TokenBucket(100, 0); // one every 10 ms
        bucket.take(0, 1);
        assertThat(bucket.take(95 * MS, 4)).isEqualTo(4);
        assertThat(bucket.take(95 * MS, 4)).isEqualTo(4);
        assertThat(bucket.take(95 * MS, 4)).isEqualTo(1);
        assertThat(bucket.take(95 * MS, 4)).isZero();
    }

    @Test
    void aLongStallIsMadeUpForAtMostOneSecondWorth() {
        TokenBucket bucket = new TokenBucket(10, 0);
        bucket.take(0, 1);
        // Sixty seconds away: only the last second's permits (plus the one due now) are owed, not six hundred.
        int owed = 0;
        for (int i = 0; i < 100; i++) {
            owed += bucket.take(60_000 * MS, 1000);
        }
        assertThat(owed).isEqualTo(11);
    }
}
