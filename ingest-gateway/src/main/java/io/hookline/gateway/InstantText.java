package io.hookline.gateway;

import java.time.Instant;

/**
 * {@link Instant#toString()} for the envelope's two timestamps, without running the general
 * {@code DateTimeFormatter} twice per event: the date and time up to the second are formatted once per second and
 * kept, the fraction is appended in the same groups of three digits {@code ISO_INSTANT} uses.
 */
final class InstantText {
    private record Second(long epochSecond, String text) {
    }

    /** The last second formatted; a benign race: a stale value is replaced, never used for another second. */
    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private InstantText() {
    }

    static String format(Instant instant) {
        long epochSecond = instant.getEpochSecond();
        Second second = last;
        if (second.epochSecond() != epochSecond) {
            String whole = Instant.ofEpochSecond(epochSecond).toString();
            second = new Second(epochSecond, whole.substring(0, whole.length() - 1)); // without the 'Z'
            last = second;
        }
        int nano = instant.getNano();
        if (nano == 0) {
            return second.text() + 'Z';
        }
        StringBuilder out = new StringBuilder(second.text().length() + 11).append(second.text()).append('.');
        int digits;
        int value;
        if (nano % 1_000_000 == 0) {
            digits = 3;
            value = nano / 1_000_000;
        } else if (nano % 1000 == 0) {
            digits = 6;
            value = nano / 1000;
        } else {
            digits = 9;
            value = nano;
        }
        String number = Integer.toString(value);
        for (int pad = digits - number.length(); pad > 0; pad--) {
            out.append('0');
        }
        return out.append(number).append('Z').toString();
    }
}
