package io.hookline.common.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A delivery that Hookline gave up on, as written on {@code hookline.dlq} (key = subscription id): the task as it
 * stood, why it died, and a summary of every attempt. {@code id} is unique per dead letter so the replayer can
 * index the topic idempotently.
 *
 * @param reason {@link #EXHAUSTED}, {@link #MAX_AGE}, {@link #GONE} or {@link #PERMANENT}
 */
public record DeadLetter(int v, String id, DeliveryTask task, String reason, List<AttemptSummary> attempts,
                         Instant deadAt) {

    public static final int CURRENT_VERSION = 1;
    public static final String EXHAUSTED = "exhausted";
    public static final String MAX_AGE = "max_age";
    public static final String GONE = "gone";
    public static final String PERMANENT = "permanent";

    public DeadLetter {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(reason, "reason");
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** One attempt as the dead letter remembers it. */
    public record AttemptSummary(int attempt, Instant at, Integer statusCode, long latencyMs, String error) {
    }

    public AttemptSummary lastAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }
}
