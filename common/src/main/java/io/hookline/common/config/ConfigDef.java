package io.hookline.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings a service reads from its environment, declared once with type, default, validation and
 * documentation (as Kafka's own {@code ConfigDef} does), so that a bad value stops start-up with one line
 * naming the variable and {@link #describe()} can print the reference.
 */
public final class ConfigDef {
    public static final String ENV_PREFIX = "HOOKLINE_";

    private final Map<String, Key<?>> keys = new LinkedHashMap<>();

    /** A declared setting; {@code name} is without the {@code HOOKLINE_} prefix. */
    public record Key<T>(String name, Function<String, T> parser, String defaultValue, boolean required, String doc) {
        public String variable() {
            return ENV_PREFIX + name;
        }
    }

    public <T> Key<T> define(String name, Function<String, T> parser, String defaultValue, String doc) {
        return add(new Key<>(name, parser, defaultValue, false, doc));
    }

    public <T> Key<T> defineRequired(String name, Function<String, T> parser, String doc) {
        return add(new Key<>(name, parser, null, true, doc));
    }

    private <T> Key<T> add(Key<T> key) {
        if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalArgumentException("setting defined twice: " + key.name());
        }
        return key;
    }

    public List<Key<?>> keys() {
        return List.copyOf(keys.values());
    }

    /** Parses and validates every declared setting; the first bad one throws {@link ConfigException}. */
    public Config parse(Map<String, String> env) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key<?> key : keys.values()) {
            String raw = env.get(key.variable());
            if (raw != null && raw.isBlank()) {
                raw = null;
            }
            if (raw == null) {
                if (key.required()) {
                    throw new ConfigException(key.variable(), "is required (" + key.doc() + ")");
                }
                raw = key.defaultValue();
            }
            Object value;
            try {
                value = raw == null ? null : key.parser().apply(raw.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key.variable(), e.getMessage() + ", got '" + raw + "'");
            }
            values.put(key.name(), value);
        }
        Set<String> declared = new HashSet<>();
        keys.values().forEach(k -> declared.add(k.variable()));
        return new Config(Collections.unmodifiableMap(values), env, declared);
    }

    /** One line per setting: variable, default and documentation. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Key<?> key : keys.values()) {
            out.append(key.variable()).append(key.required() ? " (required)" : " (default: "
                    + (key.defaultValue() == null ? "none" : key.defaultValue()) + ")")
                    .append("\n    ").append(key.doc()).append('\n');
        }
        return out.toString();
    }

    // ---- parsers: each throws IllegalArgumentException with a message that completes "HOOKLINE_X: ..."

    public static Function<String, String> string() {
        return s -> s;
    }

    public static Function<String, String> nonEmpty() {
        return s -> {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return s;
        };
    }

    public static Function<String, Integer> intBetween(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be an integer between " + min + " and " + max);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be an integer between " + min + " and " + max);
            }
            return v;
        };
    }

    public static Function<String, Integer> port() {
        return intBetween(0, 65535);
    }

    public static Function<String, Boolean> bool() {
        return s -> switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    public static Function<String, String> matching(String regex, String description) {
        Pattern pattern = Pattern.compile(regex);
        return s -> {
            if (!pattern.matcher(s).matches()) {
                throw new IllegalArgumentException("must be " + description);
            }
            return s;
        };
    }

    public static Function<String, List<String>> list() {
        return s -> {
            List<String> out = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return List.copyOf(out);
        };
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /** Durations as in the retry schedules: {@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 3d}. */
    public static Function<String, Duration> duration() {
        return s -> parseDuration(s);
    }

    public static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(Objects.requireNonNull(s).trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 250ms, 5s, 10m, 1h or 3d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
