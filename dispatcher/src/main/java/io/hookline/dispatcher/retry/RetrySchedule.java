package io.hookline.dispatcher.retry;

import io.hookline.common.config.ConfigDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The delays between a subscription's attempts (DESIGN.md section 4.5): {@code ["1s","30s","5m"]} means one
 * attempt right away and three retries, 1 s, 30 s and 5 min after the failure before each.
 */
public record RetrySchedule(List<Duration> delays) {

    /** DESIGN.md 4.5: immediately, then 5 s, 30 s, 2 m, 10 m, 30 m, 1 h, 3 h, 6 h, 12 h (about 23 h in all). */
    public static final RetrySchedule DEFAULT = parse(List.of("5s", "30s", "2m", "10m", "30m", "1h", "3h", "6h",
            "12h"));

    public RetrySchedule {
        delays = List.copyOf(delays);
        for (Duration d : delays) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("retry delays must be positive, got " + d);
            }
        }
    }

    /** Parses delays such as {@code 200ms}, {@code 5s}, {@code 1m}, {@code 3h}. */
    public static RetrySchedule parse(List<String> texts) {
        List<Duration> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(ConfigDef.parseDuration(text));
        }
        return new RetrySchedule(out);
    }

    /** Attempts in all: the first one plus one per delay. */
    public int maxAttempts() {
        return delays.size() + 1;
    }

    /** The delay after the failed attempt {@code attempt} (1-based), or null when it was the last one. */
    public Duration delayAfter(int attempt) {
        return attempt >= 1 && attempt <= delays.size() ? delays.get(attempt - 1) : null;
    }

    public Duration shortest() {
        return delays.isEmpty() ? null : Collections.min(delays);
    }

    public Duration longest() {
        return delays.isEmpty() ? null : Collections.max(delays);
    }
}
