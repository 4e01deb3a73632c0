package io.hookline.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads {@code Retry-After} (RFC 9110: delay-seconds or an HTTP-date). */
final class RetryAfterHeader {
    private RetryAfterHeader() {
    }

    /** The delay the header asks for, or null when absent or unreadable (then the backoff alone applies). */
    static Duration parse(Optional<String> header, Instant now) {
        if (header.isEmpty()) {
            return null;
        }
        String value = header.get().trim();
        if (value.isEmpty()) {
            return null;
        }
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // More than a day is nonsense for a publish; clamp instead of overflowing on absurd digit strings.
            return value.length() > 6 ? Duration.ofDays(1) : Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
