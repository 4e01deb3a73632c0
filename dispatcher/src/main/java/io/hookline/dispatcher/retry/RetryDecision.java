package io.hookline.dispatcher.retry;

import io.hookline.common.event.DeliveryTask;
import java.time.Duration;
import java.time.Instant;

/** What happens to a task after an attempt, as {@link RetryPolicy} decides it. */
public sealed interface RetryDecision {

    /** Delivered: nothing more to do. */
    record Delivered() implements RetryDecision {
    }

    /** Try again: {@code next} (attempt + 1) is due at {@code dueAt}, {@code delay} after the decision. */
    record Retry(DeliveryTask next, Instant dueAt, Duration delay) implements RetryDecision {
    }

    /**
     * Give up and dead-letter the task.
     *
     * @param reason one of {@code DeadLetter.EXHAUSTED/MAX_AGE/GONE/PERMANENT}
     * @param detail one line for the log
     */
    record GiveUp(String reason, String detail) implements RetryDecision {
    }
}
