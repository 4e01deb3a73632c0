package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantTextTest {

    @Test
    void writesWhatInstantToStringWrites() {
        for (String text : new String[] {"2024-05-01T12:00:00Z", "2024-05-01T12:00:00.100Z", "2024-05-01T12:00:00.000100Z",
                "2024-05-01T12:00:00.000000100Z", "2024-05-01T12:00:00.123456789Z", "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00.001Z", "+10000-01-01T00:00:00.5Z"}) {
            Instant instant = Instant.parse(text);
            assertThat(InstantText.format(instant)).isEqualTo(instant.toString());
        }
        SplittableRandom random = new SplittableRandom(42);
        long now = Instant.parse("2026-11-22T10:00:00Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            // seconds repeat (the cached path) and change; nanos of every precision
            long second = now + random.nextInt(5);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(second, nano);
            assertThat(InstantText.format(instant)).isEqualTo(instant.toString());
        }
    }
}
