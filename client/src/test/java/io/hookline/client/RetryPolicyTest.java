package io.hookline.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final RetryPolicy POLICY = RetryPolicy.defaults();

    @Test
    void theNominalBackoffDoublesUpToTheCap() {
        RetryPolicy noJitter = POLICY.withJitter(0);
        assertThat(noJitter.delayBeforeRetry(1, null, 0.5)).isEqualTo(Duration.ofMillis(200));
        assertThat(noJitter.delayBeforeRetry(2, null, 0.5)).isEqualTo(Duration.ofMillis(400));
        assertThat(noJitter.delayBeforeRetry(3, null, 0.5)).isEqualTo(Duration.ofMillis(800));
        assertThat(noJitter.delayBeforeRetry(40, null, 0.5)).isEqualTo(Duration.ofSeconds(10));
    }

    @Property
    void jitterOnlyShortensTheNominalWaitByAtMostItsFraction(@ForAll @IntRange(min = 1, max = 100) int retry,
                                                             @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        Duration nominal = POLICY.withJitter(0).delayBeforeRetry(retry, null, 0);
        Duration delay = POLICY.delayBeforeRetry(retry, null, random);
        assertThat(delay).isLessThanOrEqualTo(nominal);
        assertThat(delay.toNanos()).isGreaterThanOrEqualTo((long) (nominal.toNanos() * (1 - POLICY.jitter())) - 1);
    }

    @Property
    void neverRetriesSoonerThanRetryAfter(@ForAll @IntRange(min = 1, max = 100) int retry,
                                          @ForAll @LongRange(min = 0, max = 3600) long seconds,
                                          @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        Duration retryAfter = Duration.ofSeconds(seconds);
        Duration delay = POLICY.delayBeforeRetry(retry, retryAfter, random);
        assertThat(delay).isGreaterThanOrEqualTo(retryAfter)
                .isLessThanOrEqualTo(retryAfter.plus(POLICY.maxBackoff()));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> POLICY.withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLICY.withJitter(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLICY.withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLICY.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RetryAfterHeader.parse(Optional.of("120"), now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfterHeader.parse(Optional.of(" 0 "), now)).isEqualTo(Duration.ZERO);
        String inNinetySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(now.plusSeconds(90), ZoneOffset.UTC));
        assertThat(RetryAfterHeader.parse(Optional.of(inNinetySeconds), now)).isEqualTo(Duration.ofSeconds(90));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(now.minusSeconds(5), ZoneOffset.UTC));
        assertThat(RetryAfterHeader.parse(Optional.of(past), now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfterHeader.parse(Optional.of("99999999999999999999999"), now)).isEqualTo(Duration.ofDays(1));
        assertThat(RetryAfterHeader.parse(Optional.of("-3"), now)).isNull();
        assertThat(RetryAfterHeader.parse(Optional.of("soon"), now)).isNull();
        assertThat(RetryAfterHeader.parse(Optional.empty(), now)).isNull();
    }
}
