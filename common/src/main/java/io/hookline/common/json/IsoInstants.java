package io.hookline.common.json;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@link Instant#toString()} and {@link Instant#parse} for the form Hookline writes ({@code 2026-11-22T08:45:13.123Z},
 * years 1970–9999, UTC), without a {@code DateTimeFormatter}: delivery profiles showed the formatter parsing four
 * instants per task. Anything else falls back to the JDK, so results are always exactly the JDK's.
 */
public final class IsoInstants {
    private static final long SECONDS_PER_DAY = 86_400;

    private IsoInstants() {
    }

    /** Same text as {@link Instant#toString()}. */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= 253_402_300_800L) { // outside 1970-01-01 .. 9999-12-31
            return instant.toString();
        }
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) (seconds - days * SECONDS_PER_DAY);
        long[] ymd = civil(days);
        int nanos = instant.getNano();
        char[] out = new char[nanos == 0 ? 20 : nanos % 1_000_000 == 0 ? 24 : nanos % 1000 == 0 ? 27 : 30];
        digits(out, 0, (int) ymd[0], 4);
        out[4] = '-';
        digits(out, 5, (int) ymd[1], 2);
        out[7] = '-';
        digits(out, 8, (int) ymd[2], 2);
        out[10] = 'T';
        digits(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, secondOfDay % 60, 2);
        if (nanos != 0) {
            out[19] = '.';
            int width = out.length - 21;
            digits(out, 20, nanos / pow10(9 - width), width);
        }
        out[out.length - 1] = 'Z';
        return new String(out);
    }

    /** Same result as {@link Instant#parse}; throws {@link DateTimeParseException} like it. */
    public static Instant parse(CharSequence text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return Instant.parse(text);
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        int nanos = 0;
        if (length > 20) {
            int width = length - 21;
            if (text.charAt(19) != '.' || width < 1 || width > 9) {
                return Instant.parse(text);
            }
            int fraction = number(text, 20, width);
            nanos = fraction < 0 ? -1 : fraction * pow10(9 - width);
        } else if (text.charAt(19) != 'Z') {
            return Instant.parse(text);
        }
        if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 28 && day > daysIn(year, month)
                || hour > 23 || minute > 59 || second > 59 || nanos < 0 || (hour | minute | second) < 0) {
            return Instant.parse(text); // out of the fast range, or invalid: the JDK decides and explains
        }
        long days = epochDay(year, month, day);
        return Instant.ofEpochSecond(days * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    private static int number(CharSequence text, int from, int width) {
        int value = 0;
        for (int i = from; i < from + width; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static void digits(char[] out, int from, int value, int width) {
        for (int i = from + width - 1; i >= from; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static int pow10(int exponent) {
        int value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }

    private static boolean leap(int year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> leap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** Year, month, day of a day since 1970-01-01 (H. Hinnant's civil_from_days). */
    private static long[] civil(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        return new long[] {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
    }
}
