package io.hookline.bench.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value types the benchmark commands share. picocli puts {@code Invalid value for option '--name':} in front of
 * each message, so a message says only what is wrong with the value.
 */
public final class OptionConverters {
    private OptionConverters() {
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    public static final class Duration implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            java.time.Duration d;
            try {
                if (t.endsWith("ms")) {
                    d = java.time.Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                } else if (t.endsWith("s")) {
                    d = java.time.Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
                } else if (t.endsWith("m")) {
                    d = java.time.Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
                } else if (t.endsWith("h")) {
                    d = java.time.Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
                } else {
                    d = java.time.Duration.ofSeconds(Long.parseLong(t));
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw new TypeConversionException("must be a duration such as 500ms, 30s or 5m, got '" + text + "'");
            }
            if (d.isNegative()) {
                throw new TypeConversionException("must not be negative, got '" + text + "'");
            }
            return d;
        }
    }

    /** An integer above zero; {@code _} may group digits ({@code 100_000}). */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int n = integer(text);
            if (n <= 0) {
                throw new TypeConversionException("must be positive, got " + n);
            }
            return n;
        }
    }

    /** An integer of zero or more; {@code _} may group digits. */
    public static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int n = integer(text);
            if (n < 0) {
                throw new TypeConversionException("must not be negative, got " + n);
            }
            return n;
        }
    }

    /** {@code KEY=VALUE}, split at the first {@code =}, so the value may hold more of them. */
    public static final class Setting implements ITypeConverter<Map.Entry<String, String>> {
        @Override
        public Map.Entry<String, String> convert(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new TypeConversionException("needs KEY=VALUE, got '" + text + "'");
            }
            return Map.entry(text.substring(0, eq), text.substring(eq + 1));
        }
    }

    /** Repeated {@code --env} settings as a map; a key given twice keeps its last value. */
    public static Map<String, String> settings(List<Map.Entry<String, String>> entries) {
        Map<String, String> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        return Map.copyOf(map);
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be an integer, got '" + text + "'");
        }
    }
}
