package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void opensAfterConsecutiveFailuresProbesOnceWhenTimeIsUpAndClosesOnSuccess() {
        CircuitBreaker breaker = new CircuitBreaker(3, 10 * SECOND);
        breaker.onFailure(0);
        breaker.onFailure(0);
        assertThat(breaker.tryAcquire(0)).isTrue();
        breaker.onFailure(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(5 * SECOND)).isFalse();
        assertThat(breaker.nanosUntilProbe(5 * SECOND)).isEqualTo(5 * SECOND + 1);

        assertThat(breaker.tryAcquire(11 * SECOND)).as("the probe").isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire(11 * SECOND)).as("only one probe at a time").isFalse();
        breaker.onFailure(12 * SECOND);
        assertThat(breaker.state()).as("a failed probe opens it again").isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(21 * SECOND)).isFalse();
        assertThat(breaker.tryAcquire(22 * SECOND)).isTrue();
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.isPristine()).isTrue();
    }

    @Test
    void aSuccessResetsTheCount() {
        CircuitBreaker breaker = new CircuitBreaker(2, SECOND);
        breaker.onFailure(0);
        breaker.onSuccess();
        breaker.onFailure(0);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.onFailure(0);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
