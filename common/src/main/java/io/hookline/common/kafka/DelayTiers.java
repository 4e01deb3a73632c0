package io.hookline.common.kafka;

import java.time.Duration;

/** Labels of delay tiers as they appear in topic names: {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}. */
public final class DelayTiers {
    private DelayTiers() {
    }

    public static String label(Duration delay) {
        long ms = delay.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
