package io.hookline.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {
    @Test
    void formatsAndParsesExactlyLikeTheJdk() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(0, 253_402_300_800L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            String text = instant.toString();
            assertThat(IsoInstants.format(instant)).isEqualTo(text);
            assertThat(IsoInstants.parse(text)).isEqualTo(instant);
        }
    }

    @Test
    void edgesInvalidAndOtherFormsEndAsTheJdkDecides() {
        for (String text : new String[] {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z",
                "2000-02-29T12:00:00.5Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59.1Z", "2026-11-22T10:15:30.12Z",
                "+10000-01-01T00:00:00Z", "2026-11-22T10:15:30+01:00", "2026-11-22T24:00:00Z",
                "2026-11-22T23:59:60Z"}) {
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        assertThat(IsoInstants.format(Instant.parse("1969-12-31T23:59:59.1Z"))).isEqualTo("1969-12-31T23:59:59.100Z");
        for (String odd : new String[] {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T10:00:00Z",
                "2026-11-22T10:15:3xZ", "2026-11-22T10:15:30.Z", "not a time at all, really"}) {
            Object jdk;
            try {
                jdk = Instant.parse(odd);
            } catch (DateTimeParseException e) {
                jdk = DateTimeParseException.class;
            }
            Object fast;
            try {
                fast = IsoInstants.parse(odd);
            } catch (DateTimeParseException e) {
                fast = DateTimeParseException.class;
            }
            assertThat(fast).as(odd).isEqualTo(jdk);
        }
        assertThatThrownBy(() -> IsoInstants.parse("2026-13-01T00:00:00Z")).isInstanceOf(DateTimeParseException.class);
    }
}
