package io.hookline.dispatcher.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureStreaksTest {
    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    @Test
    void aSuccessAfterEnoughFailuresInARowIsOneRecoveryFromTheFirstFailure() {
        FailureStreaks streaks = new FailureStreaks(3);
        for (int i = 0; i < 4; i++) {
            streaks.failed("sub_a", T0.plusSeconds(i));
        }
        assertThat(streaks.succeeded("sub_a")).hasValue(new FailureStreaks.Recovery("sub_a", 4, T0));
        assertThat(streaks.size()).isZero();
        assertThat(streaks.succeeded("sub_a")).as("reported once").isEmpty();
    }

    @Test
    void aShortStreakIsNoRecoveryAndASuccessStartsTheCountOver() {
        FailureStreaks streaks = new FailureStreaks(3);
        streaks.failed("sub_a", T0);
        streaks.failed("sub_a", T0.plusSeconds(1));
        assertThat(streaks.succeeded("sub_a")).isEmpty();
        streaks.failed("sub_a", T0.plusSeconds(2));
        streaks.failed("sub_a", T0.plusSeconds(3));
        assertThat(streaks.succeeded("sub_a")).isEmpty();
        assertThat(streaks.succeeded("sub_never_failed")).isEmpty();
    }

    @Test
    void subscriptionsAreCountedApart() {
        FailureStreaks streaks = new FailureStreaks(1);
        streaks.failed("sub_a", T0);
        streaks.failed("sub_b", T0.plusSeconds(5));
        assertThat(streaks.size()).isEqualTo(2);
        assertThat(streaks.succeeded("sub_b")).hasValue(new FailureStreaks.Recovery("sub_b", 1, T0.plusSeconds(5)));
        assertThat(streaks.succeeded("sub_a")).hasValue(new FailureStreaks.Recovery("sub_a", 1, T0));
    }

    @Test
    void thresholdZeroNeverReportsNorRemembers() {
        FailureStreaks streaks = new FailureStreaks(0);
        streaks.failed("sub_a", T0);
        assertThat(streaks.size()).isZero();
        assertThat(streaks.succeeded("sub_a")).isEmpty();
    }
}
