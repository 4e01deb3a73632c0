package io.hookline.registrar.attempts;

import java.time.Instant;

/**
 * One HTTP delivery attempt as the dispatcher writes it on {@code hookline.attempts} (key = subscription id).
 * Mirrors the dispatcher's record of the same name (fields are only ever added; unknown ones are ignored);
 * it belongs in common next to {@code DeliveryTask}.
 *
 * @param outcome {@code success}, {@code retryable}, {@code gone} or {@code permanent}
 */
public record AttemptRecord(
        int v,
        String id,
        String subscriptionId,
        String tenant,
        String eventId,
        String topic,
        int attempt,
        String url,
        Instant startedAt,
        long latencyMs,
        String outcome,
        Integer statusCode,
        String error,
        Long retryAfterMs,
        String responseExcerpt) {

    public static final String SUCCESS = "success";

    public boolean isSuccess() {
        return SUCCESS.equals(outcome);
    }
}
