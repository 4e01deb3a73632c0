package io.hookline.dispatcher.retry;

import com.fasterxml.jackson.core.type.TypeReference;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka headers a task carries on its retry path (retry topics, and {@code hookline.deliveries} when it comes
 * back): {@code hookline-due-at} = when the next attempt is due, epoch milliseconds as decimal ASCII (rounded up);
 * {@code hookline-attempts} = the summaries of the attempts so far, a JSON array of
 * {@link DeadLetter.AttemptSummary} (oldest first, at most {@link #MAX_SUMMARIES} kept: the first and the latest
 * ones), so the dead letter can list them. A task without them (fresh from the fan-out) has no history.
 */
public final class RetryHeaders {
    public static final String DUE_AT = "hookline-due-at";
    public static final String ATTEMPTS = "hookline-attempts";
    /** Caps a record's header size when a subscription's schedule is very long. */
    public static final int MAX_SUMMARIES = 50;
    private static final TypeReference<List<DeadLetter.AttemptSummary>> SUMMARIES = new TypeReference<>() {
    };

    private RetryHeaders() {
    }

    public static Headers of(Instant dueAt, List<DeadLetter.AttemptSummary> attempts) {
        RecordHeaders headers = new RecordHeaders();
        long ms = dueAt.toEpochMilli() + (dueAt.getNano() % 1_000_000 == 0 ? 0 : 1);
        headers.add(DUE_AT, Long.toString(ms).getBytes(StandardCharsets.US_ASCII));
        headers.add(ATTEMPTS, Json.write(capped(attempts)));
        return headers;
    }

    /** The due time in epoch ms, or -1 when absent or unreadable. */
    public static long dueAtMillis(Headers headers) {
        Header header = headers.lastHeader(DUE_AT);
        if (header == null || header.value() == null) {
            return -1;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The attempt history; empty when absent or unreadable (a lost history must not lose the task). */
    public static List<DeadLetter.AttemptSummary> attempts(Headers headers) {
        Header header = headers.lastHeader(ATTEMPTS);
        if (header == null || header.value() == null) {
            return List.of();
        }
        try {
            return Json.MAPPER.readValue(header.value(), SUMMARIES);
        } catch (Exception e) {
            return List.of();
        }
    }

    /** {@code history} plus {@code latest}, capped. */
    public static List<DeadLetter.AttemptSummary> append(List<DeadLetter.AttemptSummary> history,
                                                         DeadLetter.AttemptSummary latest) {
        List<DeadLetter.AttemptSummary> out = new ArrayList<>(history.size() + 1);
        out.addAll(history);
        out.add(latest);
        return capped(out);
    }

    private static List<DeadLetter.AttemptSummary> capped(List<DeadLetter.AttemptSummary> all) {
        if (all.size() <= MAX_SUMMARIES) {
            return all;
        }
        List<DeadLetter.AttemptSummary> out = new ArrayList<>(MAX_SUMMARIES);
        out.add(all.get(0));
        out.addAll(all.subList(all.size() - (MAX_SUMMARIES - 1), all.size()));
        return out;
    }
}
