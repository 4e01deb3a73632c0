package io.hookline.replayer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void refusesNonPositiveRates() {
        assertThatThrownBy(() -> new TokenBucket(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFirstPermitIsImmediateAndAStopInterruptsTheWaitForTheNext() {
        TokenBucket bucket = new TokenBucket(0.001); // one permit per 1000 s
        assertThat(bucket.acquire(() -> false)).isTrue();
        int[] checks = {0};
        // The second permit is far away: the wait must end as soon as stop turns true.
        assertThat(bucket.acquire(() -> ++checks[0] > 3)).isFalse();
    }
}
