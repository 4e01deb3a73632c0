package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstOfATenthOfASecondThenPacesAtTheRate() {
        TokenBucket bucket = new TokenBucket(100, 0); // burst 10
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.tryTake(0)).isZero();
        }
        long wait = bucket.tryTake(0);
        assertThat(wait).isEqualTo(SECOND / 100);
        assertThat(bucket.tryTake(wait)).isZero();
    }

    @Test
    void grantsAtMostRateTimesWindowPlusBurstOverAnyWindow() {
        TokenBucket bucket = new TokenBucket(50, 0);
        long now = 0;
        int granted = 0;
        while (now < 10 * SECOND) {
            long wait = bucket.tryTake(now);
            if (wait == 0) {
                granted++;
            } else {
                now += wait;
            }
        }
        assertThat(granted).isBetween(500, 505);
    }

    @Test
    void slowRatesStillAllowOneRequestAndWaitForTheNext() {
        TokenBucket bucket = new TokenBucket(0.5, 0);
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isEqualTo(2 * SECOND);
    }

    @Test
    void aLowerRateCapsTokensAlreadyEarned() {
        TokenBucket bucket = new TokenBucket(1000, 0); // burst 100
        bucket.setRate(10); // burst 1
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isPositive();
        assertThat(bucket.isFull(SECOND)).isTrue();
    }
}
