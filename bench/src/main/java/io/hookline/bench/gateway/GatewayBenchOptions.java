package io.hookline.bench.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one {@link GatewayBench} run, from {@code --name value} (or {@code --name=value}) arguments.
 *
 * @param phases             which phases run, in this order: kafka, single, batch, rate
 * @param seconds            length of each measured wrk/h2load phase
 * @param warmupSeconds      wrk single publish for this long, then batch for a third of it, and a fifth of the raw
 *                           producer's records, before the first measured phase (JIT, connections); not reported
 * @param threads            wrk threads
 * @param connections        keep-alive connections of the single-publish phase
 * @param batchSize          events per batch request
 * @param batchConnections   connections of the batch phase
 * @param rate               events per second of the fixed-rate latency phase
 * @param rateConnections    connections of the fixed-rate phase (each sends {@code rate / rateConnections} per second)
 * @param kafkaRecords       records the raw producer baseline sends
 * @param partitions         partitions of the benchmark events topic
 * @param serve              start, print the commands to run by hand, and wait until killed (no phases)
 * @param env                extra {@code HOOKLINE_*} settings for the gateway (e.g. HOOKLINE_KAFKA_LINGER_MS=5)
 */
public record GatewayBenchOptions(Set<String> phases, int seconds, int warmupSeconds, int threads, int connections,
                                  int batchSize, int batchConnections, int rate, int rateConnections, int kafkaRecords,
                                  int partitions, boolean serve, Map<String, String> env) {

    static final List<String> ALL_PHASES = List.of("kafka", "single", "batch", "rate");

    public static final String USAGE = """
            usage: hookline-bench.jar gateway [options]
            Starts an embedded KRaft broker and the ingest gateway in this JVM, registers topic bench.events and a
            tenant API key, and measures with wrk / h2load run as child processes (they must be on the PATH):
              kafka   raw KafkaProducer (acks=all, idempotent, the gateway's linger/batch), 1208-byte records
              single  wrk, one 1 KiB event per request over keep-alive connections, flat out
              batch   wrk, batch publish of --batch events per request, flat out
              rate    h2load at a fixed --rate, latency per request from its log
            Every phase prints its rate, latency and how many cores the gateway, the broker, the load generator
            and the rest of the machine used.
              --phases LIST          comma-separated subset of kafka,single,batch,rate (default all)
              --seconds N            length of each measured phase (default 30)
              --warmup N             seconds of single publish (then N/3 of batch and a fifth of the raw
                                     records) before measuring, not reported (default 15)
              --threads N            wrk threads (default 2)
              --connections N        connections of the single phase (default 128)
              --batch N              events per batch request (default 100)
              --batch-connections N  connections of the batch phase (default 16)
              --rate N               events/s of the rate phase (default 5000)
              --rate-connections N   connections of the rate phase (default 250)
              --kafka-records N      records of the raw producer baseline (default 500000)
              --partitions N         partitions of bench.events (default 6)
              --serve                start, print the wrk/h2load commands, wait until killed
              --env KEY=VALUE        extra gateway setting, repeatable
            """;

    public static GatewayBenchOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        boolean serve = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + USAGE);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0 && !name.startsWith("env")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (name.startsWith("env=")) {
                value = name.substring(4);
                name = "env";
            }
            if (name.equals("serve")) {
                serve = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
                }
                value = args[++i];
            }
            if (name.equals("env")) {
                int at = value.indexOf('=');
                if (at <= 0) {
                    throw new IllegalArgumentException("--env takes KEY=VALUE, got '" + value + "'");
                }
                env.put(value.substring(0, at), value.substring(at + 1));
            } else {
                values.put(name, value);
            }
        }
        Set<String> phases = new LinkedHashSet<>();
        List<String> asked = new ArrayList<>(List.of(values.getOrDefault("phases", String.join(",", ALL_PHASES))
                .split(",")));
        for (String phase : ALL_PHASES) {
            if (asked.remove(phase)) {
                phases.add(phase);
            }
        }
        asked.removeIf(String::isBlank);
        if (!asked.isEmpty()) {
            throw new IllegalArgumentException("unknown phases " + asked + "; known: " + ALL_PHASES);
        }
        GatewayBenchOptions options = new GatewayBenchOptions(phases, positive(values, "seconds", 30),
                atLeast(values, "warmup", 15, 0), positive(values, "threads", 2), positive(values, "connections", 128),
                positive(values, "batch", 100), positive(values, "batch-connections", 16),
                positive(values, "rate", 5000), positive(values, "rate-connections", 250),
                positive(values, "kafka-records", 500_000), positive(values, "partitions", 6), serve, Map.copyOf(env));
        values.keySet().removeAll(Set.of("phases", "seconds", "warmup", "threads", "connections", "batch",
                "batch-connections", "rate", "rate-connections", "kafka-records", "partitions"));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + values.keySet() + "\n" + USAGE);
        }
        if (options.rateConnections() > options.rate()) {
            throw new IllegalArgumentException("--rate-connections must not exceed --rate (each sends at least 1/s)");
        }
        return options;
    }

    /** Requests per second each connection of the rate phase sends (h2load's --rps is per client). */
    public int ratePerConnection() {
        return Math.max(1, Math.round((float) rate / rateConnections));
    }

    private static int positive(Map<String, String> values, String name, int fallback) {
        return atLeast(values, name, fallback, 1);
    }

    private static int atLeast(Map<String, String> values, String name, int fallback, int min) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + n);
        }
        return n;
    }
}
