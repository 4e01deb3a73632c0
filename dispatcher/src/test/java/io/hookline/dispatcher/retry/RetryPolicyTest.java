package io.hookline.dispatcher.retry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.delivery.AttemptOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-22T07:00:00Z");
    private static final AttemptOutcome FAILED = new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, null, "HTTP 500");

    private static DeliveryTask task(int attempt, Instant firstAttemptAt) {
        EventEnvelope event = new EventEnvelope("evt_1", "orders", "acme", null, null, T0, T0,
                JsonNodeFactory.instance.objectNode());
        return new DeliveryTask(1, event, "sub_1", attempt, firstAttemptAt, T0, 0, 0);
    }

    private static SubscriptionRecord subscription(List<String> schedule, Long maxAgeSeconds) {
        return new SubscriptionRecord("sub_1", "acme", "http://127.0.0.1/", List.of("orders"), null, null, null, null,
                null, schedule, maxAgeSeconds, null, null, "active", 1, List.of(), T0, T0);
    }

    /** No jitter: the random source answers the middle of its range. */
    private static RetryPolicy exact() {
        return new RetryPolicy(RetrySchedule.DEFAULT, () -> 0.5);
    }

    @Test
    void theDefaultScheduleIsDesignsTenAttempts() {
        assertThat(RetrySchedule.DEFAULT.maxAttempts()).isEqualTo(10);
        Instant now = T0;
        DeliveryTask task = task(1, null);
        List<Duration> delays = new java.util.ArrayList<>();
        RetryDecision decision = exact().decide(task, subscription(null, null), FAILED, now, now);
        while (decision instanceof RetryDecision.Retry retry) {
            delays.add(retry.delay());
            assertThat(retry.dueAt()).isEqualTo(now.plus(retry.delay()));
            assertThat(retry.next().attempt()).isEqualTo(task.attempt() + 1);
            assertThat(retry.next().firstAttemptAt()).isEqualTo(T0);
            now = retry.dueAt();
            task = retry.next();
            decision = exact().decide(task, subscription(null, null), FAILED, now, now);
        }
        assertThat(delays).containsExactlyElementsOf(RetrySchedule.DEFAULT.delays());
        assertThat(decision).isEqualTo(new RetryDecision.GiveUp(DeadLetter.EXHAUSTED,
                "attempt 10 of 10 failed: HTTP 500"));
    }

    @Test
    void theSubscriptionsOwnScheduleWins() {
        SubscriptionRecord sub = subscription(List.of("200ms", "1s", "2s"), null);
        RetryDecision second = exact().decide(task(2, T0), sub, FAILED, T0, T0);
        assertThat(second).isInstanceOfSatisfying(RetryDecision.Retry.class,
                r -> assertThat(r.delay()).isEqualTo(Duration.ofSeconds(1)));
        assertThat(exact().decide(task(4, T0), sub, FAILED, T0, T0))
                .isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                        g -> assertThat(g.reason()).isEqualTo(DeadLetter.EXHAUSTED));
    }

    @Test
    void anUnreadableScheduleFallsBackToTheDefault() {
        RetryDecision decision = exact().decide(task(1, null), subscription(List.of("soon"), null), FAILED, T0, T0);
        assertThat(decision).isInstanceOfSatisfying(RetryDecision.Retry.class,
                r -> assertThat(r.delay()).isEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void goneAndPermanentAreDeadLetteredAtOnceAndSuccessIsFinal() {
        SubscriptionRecord sub = subscription(null, null);
        assertThat(exact().decide(task(1, null), sub, new AttemptOutcome(AttemptOutcome.Kind.GONE, null, "HTTP 410"),
                T0, T0)).isEqualTo(new RetryDecision.GiveUp(DeadLetter.GONE, "HTTP 410"));
        assertThat(exact().decide(task(1, null), sub, new AttemptOutcome(AttemptOutcome.Kind.PERMANENT, null,
                "destination rejected"), T0, T0)).isEqualTo(new RetryDecision.GiveUp(DeadLetter.PERMANENT,
                "destination rejected"));
        assertThat(exact().decide(task(1, null), sub, new AttemptOutcome(AttemptOutcome.Kind.SUCCESS, null,
                "HTTP 204"), T0, T0)).isInstanceOf(RetryDecision.Delivered.class);
    }

    @Test
    void retryAfterIsHonouredAndClampedToTheSchedulesBounds() {
        SubscriptionRecord sub = subscription(List.of("200ms", "1s", "2s"), null);
        AttemptOutcome asksFor1500ms = new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, Duration.ofMillis(1500),
                "HTTP 429");
        assertThat(delay(exact().decide(task(1, null), sub, asksFor1500ms, T0, T0))).isEqualTo(Duration.ofMillis(1500));
        AttemptOutcome asksForAnHour = new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, Duration.ofHours(1),
                "HTTP 503");
        assertThat(delay(exact().decide(task(1, null), sub, asksForAnHour, T0, T0))).isEqualTo(Duration.ofSeconds(2));
        // Shorter than the scheduled delay: the schedule's delay stands.
        AttemptOutcome asksForNothing = new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, Duration.ZERO, "HTTP 429");
        assertThat(delay(exact().decide(task(2, T0), sub, asksForNothing, T0, T0))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theMaxAgeCountsFromTheFirstAttempt() {
        SubscriptionRecord sub = subscription(List.of("5s", "30s"), 20L);
        Instant now = T0.plusSeconds(6);
        assertThat(exact().decide(task(1, null), sub, FAILED, T0, T0)).isInstanceOf(RetryDecision.Retry.class);
        assertThat(exact().decide(task(2, T0), sub, FAILED, now, now))
                .isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                        g -> assertThat(g.reason()).isEqualTo(DeadLetter.MAX_AGE));
    }

    @Test
    void aDeferredTaskKeepsItsAttemptAndHonoursTheMaxAge() {
        RetryDecision later = exact().decide(task(3, T0), subscription(null, null), FAILED, T0, T0);
        RetryDecision deferred = exact().defer(task(3, T0), subscription(null, 60L), Duration.ofSeconds(10),
                T0.plusSeconds(5));
        assertThat(later).isInstanceOf(RetryDecision.Retry.class);
        assertThat(deferred).isInstanceOfSatisfying(RetryDecision.Retry.class, r -> {
            assertThat(r.next().attempt()).isEqualTo(3);
            assertThat(r.delay()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(11));
            assertThat(r.next().dueAt()).isEqualTo(r.dueAt());
        });
        assertThat(exact().defer(task(3, T0), subscription(null, 60L), Duration.ofSeconds(10), T0.plusSeconds(55)))
                .isInstanceOfSatisfying(RetryDecision.GiveUp.class,
                        g -> assertThat(g.reason()).isEqualTo(DeadLetter.MAX_AGE));
        // Without a max age, deferral is bounded by DEFERRAL_LIMIT (never attempted: counted from receipt).
        assertThat(exact().defer(task(1, null), subscription(List.of("1s", "2s"), null), Duration.ofSeconds(30),
                T0.plusSeconds(60))).isInstanceOf(RetryDecision.Retry.class);
        assertThat(exact().defer(task(1, null), subscription(List.of("1s", "2s"), null), Duration.ofSeconds(30),
                T0.plus(RetryPolicy.DEFERRAL_LIMIT))).isInstanceOf(RetryDecision.GiveUp.class);
    }

    @Property(tries = 500)
    void jitterStaysWithinTenPercent(@ForAll @LongRange(min = 100, max = 86_400_000) long baseMs,
                                     @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        Duration base = Duration.ofMillis(baseMs);
        Duration jittered = new RetryPolicy(RetrySchedule.DEFAULT, () -> random).jittered(base);
        assertThat(jittered.toNanos()).isBetween(Math.round(base.toNanos() * 0.9),
                Math.round(base.toNanos() * 1.1));
    }

    @Property(tries = 300)
    void everyRetryIsDueWithinTheJitterOfItsScheduledDelayAndNeverBeforeRetryAfter(
            @ForAll @IntRange(min = 1, max = 3) int attempt,
            @ForAll @LongRange(min = 0, max = 10_000) long retryAfterMs,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        SubscriptionRecord sub = subscription(List.of("200ms", "1s", "2s"), null);
        Duration scheduled = List.of(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2))
                .get(attempt - 1);
        Duration asked = Duration.ofMillis(retryAfterMs);
        RetryDecision decision = new RetryPolicy(RetrySchedule.DEFAULT, () -> random).decide(task(attempt, T0), sub,
                new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, asked, "HTTP 429"), T0, T0);
        Duration delay = delay(decision);
        Duration clampedAsk = asked.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : asked;
        assertThat(delay).isGreaterThanOrEqualTo(clampedAsk);
        assertThat(delay.toNanos()).isGreaterThanOrEqualTo(Math.round(scheduled.toNanos() * 0.9));
        assertThat(delay.toNanos()).isLessThanOrEqualTo(Math.max(Math.round(scheduled.toNanos() * 1.1),
                clampedAsk.toNanos()));
    }

    private static Duration delay(RetryDecision decision) {
        assertThat(decision).isInstanceOf(RetryDecision.Retry.class);
        return ((RetryDecision.Retry) decision).delay();
    }
}
