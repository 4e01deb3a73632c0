package io.hookline.dispatcher.delivery;

import java.time.Duration;
import java.util.Locale;

/**
 * The verdict on one delivery attempt, as {@link OutcomeClassifier} decides it. This is what the retry and
 * dead-letter stage acts on: {@code SUCCESS} is final, {@code RETRYABLE} goes to the subscription's retry
 * schedule (not before {@code retryAfter} when the endpoint asked for it), {@code GONE} disables the subscription,
 * {@code PERMANENT} can never succeed as configured and is dead-lettered at once.
 *
 * @param retryAfter how long the endpoint asked us to wait ({@code 429}/{@code 503} + {@code Retry-After}), or null
 * @param reason     one line for logs and the attempt record
 */
public record AttemptOutcome(Kind kind, Duration retryAfter, String reason) {

    public enum Kind {
        SUCCESS, RETRYABLE, GONE, PERMANENT;

        /** The lower-case name used in attempt records and metric tags. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }
}
