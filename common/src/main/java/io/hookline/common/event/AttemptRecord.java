package io.hookline.common.event;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;

/**
 * One HTTP delivery attempt, as written by the dispatcher on {@code hookline.attempts} (key = subscription id) and
 * kept by the registrar as delivery history and endpoint health. Versioned like every Hookline record: fields are
 * only ever added.
 *
 * @param outcome         {@code success}, {@code retryable}, {@code gone} or {@code permanent}
 * @param responseExcerpt the first bytes of the response body (capped), for operators
 */
@JsonSerialize(using = AttemptRecordCodec.Serializer.class)
@JsonDeserialize(using = AttemptRecordCodec.Deserializer.class)
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

    public static final int CURRENT_VERSION = 1;
    public static final String SUCCESS = "success";

    public boolean isSuccess() {
        return SUCCESS.equals(outcome);
    }
}
