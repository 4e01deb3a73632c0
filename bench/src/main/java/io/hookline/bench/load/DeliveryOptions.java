package io.hookline.bench.load;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one {@link DeliveryDriver} run.
 *
 * @param tasks          delivery tasks per phase (the backlog)
 * @param warmUp         tasks delivered before the first measured phase
 * @param subscriptions  subscriptions the tasks are spread over, round robin
 * @param payloadBytes   event payload size in each task
 * @param concurrency    requests in flight of the raw consumer baseline
 * @param slowTimeout    the timing-out subscription's {@code timeoutMs} in the isolation phase
 * @param maxInFlight    the subscriptions' {@code maxInFlight}; null = the dispatcher's default
 * @param pendingRetries retries parked in a delay tier before the pending-retries phase; 0 = no such phase
 * @param pendingDelay   how far in the future the parked retries are due; also the tier they are written to
 * @param pendingRounds  how many times the phases without and with pending retries alternate
 */
public record DeliveryOptions(int tasks, int warmUp, int subscriptions, int payloadBytes, int concurrency, Duration slowTimeout,
                              Integer maxInFlight, boolean baseline, boolean isolation, int pendingRetries,
                              Duration pendingDelay, int pendingRounds, Duration drainTimeout, int receiverThreads,
                              Map<String, String> env) {

    public static final String USAGE = """
            usage: DeliveryDriver [options]   (java -jar hookline-bench.jar delivery ...)
              --tasks N             delivery tasks per phase, written straight to hookline.deliveries (default 100000)
              --warmup N            tasks delivered before measuring (default a tenth of --tasks)
              --subscriptions N     subscriptions the tasks are spread over (default 100)
              --payload BYTES       event payload size (default 1024)
              --concurrency N       requests in flight of the raw consumer baseline (default 64)
              --max-in-flight N     the subscriptions' maxInFlight (default: the dispatcher's default)
              --slow-timeout D      timeout of the one hanging endpoint in the isolation phase (default 5s)
              --no-baseline         skip the raw KafkaConsumer -> HTTP baseline
              --no-isolation        skip the phase with one endpoint that always times out
              --pending-retries N   retries parked in a delay tier before the pending-retries phase (default 100000)
              --pending-delay D     when they are due, and the tier they wait in: one of the dispatcher's tiers
                                    (default 10m; the phase must end before then)
              --pending-rounds N    alternate the phases without and with pending retries N times (default 1);
                                    between rounds the parked retries are deleted from their topic
              --no-pending-retries  skip the phase with retries pending
              --drain-timeout D     wait this long for each phase's deliveries (default 10m)
              --receiver-threads N  event-loop threads of the local receiver (default 2)
              --env KEY=VALUE       extra setting for the standalone, repeatable
            """;

    private static final List<String> FLAGS = List.of("no-baseline", "no-isolation", "no-pending-retries");
    private static final List<String> KNOWN = List.of("tasks", "warmup", "subscriptions", "payload", "concurrency",
            "max-in-flight", "slow-timeout", "no-baseline", "no-isolation", "pending-retries", "pending-delay",
            "pending-rounds", "no-pending-retries", "drain-timeout", "receiver-threads");

    public static DeliveryOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'\n" + USAGE);
            }
            String name = args[i].substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name)) {
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
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new IllegalArgumentException("--env needs KEY=VALUE, got '" + value + "'");
                }
                env.put(value.substring(0, kv), value.substring(kv + 1));
            } else if (KNOWN.contains(name)) {
                values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
            }
        }
        int tasks = positive(values, "tasks", 100_000);
        return new DeliveryOptions(
                tasks,
                positive(values, "warmup", Math.max(1, tasks / 10)),
                positive(values, "subscriptions", 100),
                positive(values, "payload", 1024),
                positive(values, "concurrency", 64),
                LoadOptions.duration("slow-timeout", values.getOrDefault("slow-timeout", "5s")),
                values.containsKey("max-in-flight") ? positive(values, "max-in-flight", 0) : null,
                !values.containsKey("no-baseline"),
                !values.containsKey("no-isolation"),
                values.containsKey("no-pending-retries") ? 0 : positive(values, "pending-retries", 100_000),
                LoadOptions.duration("pending-delay", values.getOrDefault("pending-delay", "10m")),
                positive(values, "pending-rounds", 1),
                LoadOptions.duration("drain-timeout", values.getOrDefault("drain-timeout", "10m")),
                positive(values, "receiver-threads", 2),
                Map.copyOf(env));
    }

    private static int positive(Map<String, String> values, String name, int fallback) {
        String text = values.get(name);
        int n;
        try {
            n = text == null ? fallback : Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + text + "'");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + n);
        }
        return n;
    }

    public String describe() {
        return "tasks=" + tasks + " warmUp=" + warmUp + " subscriptions=" + subscriptions + " payload=" + payloadBytes + "B"
                + " baselineConcurrency=" + concurrency + (maxInFlight != null ? " maxInFlight=" + maxInFlight : "")
                + (isolation ? " slowTimeout=" + slowTimeout.toMillis() + "ms" : "")
                + (pendingRetries > 0 ? " pendingRetries=" + pendingRetries + " due in " + pendingDelay + " rounds="
                + pendingRounds : "")
                + (env.isEmpty() ? "" : " env=" + env);
    }
}
