package io.hookline.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of one {@link LoadDriver} run, from {@code --name value} (or {@code --name=value}) arguments.
 *
 * @param events        events to publish (with {@code duration}: at most this many)
 * @param concurrency   requests in flight at once, for the gateway and for the direct baseline alike
 * @param fanOut        subscriptions on the benchmark topic, so each event is delivered this many times; 0 measures
 *                      publishing alone
 * @param wildcard      subscribe with {@code bench.*} instead of the exact topic name
 * @param payloadBytes  size of each event's JSON payload
 * @param batchSize     0 = one event per request; n = batch publish of n events per request
 * @param rate          target events per second (open loop, latency measured from the intended send time); 0 = flat out
 * @param duration      publish for this long at most; zero = until {@code events} were sent
 * @param warmupEvents  events published and delivered before measuring (JIT, connections), not counted
 * @param partitions    partitions of the benchmark events topic
 * @param maxInFlight   the subscriptions' {@code maxInFlight}; null = the dispatcher's default
 * @param drainTimeout  how long to wait for every expected delivery after publishing ended
 * @param env           extra {@code HOOKLINE_*} settings for the standalone (e.g. HOOKLINE_FANOUT_THREADS=2)
 */
public record LoadOptions(int events, int concurrency, int fanOut, boolean wildcard, int payloadBytes, int batchSize,
                          double rate, Duration duration, int warmupEvents, int partitions, Integer maxInFlight,
                          Duration drainTimeout, boolean directBaseline, boolean kafkaBaseline, int receiverThreads,
                          Map<String, String> env) {

    public static final String USAGE = """
            usage: LoadDriver [options]
              --events N            events to publish (default 20000)
              --concurrency N       requests in flight, gateway and direct baseline alike (default 64)
              --fanout N            subscriptions on the topic = deliveries per event (default 1;
                                    0 = publish only: the gateway and the fan-out's reading, no deliveries)
              --wildcard            subscribe with 'bench.*' instead of the exact topic name
              --payload BYTES       JSON payload size per event (default 1024)
              --batch N             batch publish, N events per request (default 0 = single publish)
              --rate N              target events/s, open loop (default 0 = flat out)
              --duration D          publish at most this long, e.g. 60s (default: until --events were sent)
              --warmup N            events published and delivered before measuring (default 2000)
              --partitions N        partitions of the benchmark events topic (default 6)
              --max-in-flight N     the subscriptions' maxInFlight (default: the dispatcher's default)
              --drain-timeout D     wait this long for all deliveries after publishing (default 5m)
              --receiver-threads N  event-loop threads of the local receiver (default 2)
              --no-direct-baseline  skip the direct POST baseline
              --no-kafka-baseline   skip the raw Kafka producer baseline
              --env KEY=VALUE       extra setting for the standalone, repeatable (e.g. HOOKLINE_FANOUT_THREADS=2)
            """;

    public static LoadOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> env = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + USAGE);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (isFlag(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("--" + name + " takes no value");
                }
                values.put(name, "true");
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
                }
                value = args[++i];
            }
            if (name.equals("env")) {
                env.add(value);
            } else {
                values.put(name, value);
            }
        }
        for (String name : values.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
            }
        }
        Map<String, String> extraEnv = new LinkedHashMap<>();
        for (String kv : env) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--env needs KEY=VALUE, got '" + kv + "'");
            }
            extraEnv.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String maxInFlight = values.get("max-in-flight");
        return new LoadOptions(
                positive(values, "events", 20_000),
                positive(values, "concurrency", 64),
                nonNegative(values, "fanout", 1),
                values.containsKey("wildcard"),
                positive(values, "payload", 1024),
                nonNegative(values, "batch", 0),
                rate(values.getOrDefault("rate", "0")),
                duration("duration", values.getOrDefault("duration", "0s")),
                nonNegative(values, "warmup", 2_000),
                positive(values, "partitions", 6),
                maxInFlight == null ? null : positive(values, "max-in-flight", 0),
                duration("drain-timeout", values.getOrDefault("drain-timeout", "5m")),
                !values.containsKey("no-direct-baseline"),
                !values.containsKey("no-kafka-baseline"),
                positive(values, "receiver-threads", 2),
                Map.copyOf(extraEnv));
    }

    private static final List<String> FLAGS = List.of("wildcard", "no-direct-baseline", "no-kafka-baseline");
    private static final List<String> KNOWN = List.of("events", "concurrency", "fanout", "wildcard", "payload", "batch",
            "rate", "duration", "warmup", "partitions", "max-in-flight", "drain-timeout", "receiver-threads",
            "no-direct-baseline", "no-kafka-baseline");

    private static boolean isFlag(String name) {
        return FLAGS.contains(name);
    }

    private static int positive(Map<String, String> values, String name, int fallback) {
        int n = integer(values, name, fallback);
        if (n <= 0) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + n);
        }
        return n;
    }

    private static int nonNegative(Map<String, String> values, String name, int fallback) {
        int n = integer(values, name, fallback);
        if (n < 0) {
            throw new IllegalArgumentException("--" + name + " must not be negative, got " + n);
        }
        return n;
    }

    private static int integer(Map<String, String> values, String name, int fallback) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + text + "'");
        }
    }

    private static double rate(String text) {
        try {
            double r = Double.parseDouble(text);
            if (r < 0 || Double.isNaN(r) || Double.isInfinite(r)) {
                throw new NumberFormatException();
            }
            return r;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate must be a non-negative number of events/s, got '" + text + "'");
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    static Duration duration(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a duration such as 500ms, 30s or 5m, got '"
                    + text + "'");
        }
    }

    /** One line describing the run, for the report. */
    public String describe() {
        return "events=" + events + " concurrency=" + concurrency + " fanout=" + fanOut
                + (wildcard ? " (wildcard)" : "") + " payload=" + payloadBytes + "B"
                + " mode=" + (batchSize > 0 ? "batch(" + batchSize + ")" : "single")
                + " rate=" + (rate > 0 ? rate + "/s" : "flat-out")
                + (duration.isZero() ? "" : " duration=" + duration.toSeconds() + "s")
                + " partitions=" + partitions + (maxInFlight != null ? " maxInFlight=" + maxInFlight : "")
                + (env.isEmpty() ? "" : " env=" + env);
    }
}
