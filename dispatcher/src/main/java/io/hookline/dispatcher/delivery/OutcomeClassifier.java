package io.hookline.dispatcher.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The one place that decides what an attempt's result means (DESIGN.md section 4.4): success is 2xx only;
 * redirects are not followed and count as retryable failures; {@code 410 Gone} means the endpoint is gone for
 * good; {@code 429} and {@code 503} are retryable and honour {@code Retry-After} (seconds or an HTTP date);
 * every other status, timeouts and connection errors are retryable; a destination refused by the SSRF policy
 * or a request that cannot be built is permanent, since retrying cannot change it.
 */
public final class OutcomeClassifier {
    private OutcomeClassifier() {
    }

    public static AttemptOutcome classify(HttpExchange exchange, Instant now) {
        return switch (exchange.failure()) {
            case REJECTED -> new AttemptOutcome(AttemptOutcome.Kind.PERMANENT, null,
                    "destination rejected: " + exchange.error());
            case INVALID_REQUEST -> new AttemptOutcome(AttemptOutcome.Kind.PERMANENT, null, exchange.error());
            case CONNECT, TIMEOUT, IO -> new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, null, exchange.error());
            case NONE -> classifyStatus(exchange, now);
        };
    }

    private static AttemptOutcome classifyStatus(HttpExchange exchange, Instant now) {
        int status = exchange.status();
        if (status >= 200 && status < 300) {
            return new AttemptOutcome(AttemptOutcome.Kind.SUCCESS, null, "HTTP " + status);
        }
        if (status == 410) {
            return new AttemptOutcome(AttemptOutcome.Kind.GONE, null, "HTTP 410: the endpoint is gone");
        }
        if (status == 429 || status == 503) {
            return new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, retryAfter(exchange.retryAfter(), now),
                    "HTTP " + status);
        }
        if (status >= 300 && status < 400) {
            return new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, null,
                    "HTTP " + status + ": redirects are not followed");
        }
        return new AttemptOutcome(AttemptOutcome.Kind.RETRYABLE, null, "HTTP " + status);
    }

    /** {@code Retry-After} as a delay: delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(now, at);
                return delay.isNegative() ? Duration.ZERO : delay;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
