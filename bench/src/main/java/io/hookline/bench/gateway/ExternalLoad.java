package io.hookline.bench.gateway;

import io.hookline.bench.load.LatencySummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the C load generators as child processes of this JVM (so their CPU is told apart from the gateway's and the
 * broker's) and reads their results: wrk through the one-line summary {@code bench/wrk/common.lua} prints, h2load
 * through its per-request log.
 */
final class ExternalLoad {

    /** What wrk reports: completed requests, those answered with a status >= 400, socket errors, latency (µs). */
    record WrkResult(long requests, long non2xx, long socketErrors, long durationMicros, int eventsPerRequest,
                     long p50Micros, long p90Micros, long p99Micros, long maxMicros) {
        /** Events the gateway acknowledged (202). */
        long acceptedEvents() {
            return (requests - non2xx) * eventsPerRequest;
        }

        /** Events acknowledged per second: requests that got a 2xx (the gateway's 202) times events per request. */
        double acceptedEventsPerSecond() {
            return durationMicros <= 0 ? 0 : (requests - non2xx) * (double) eventsPerRequest * 1e6 / durationMicros;
        }
    }

    /** What the h2load log says: requests per status, the span of their start times, latency (ns). */
    record RateResult(Map<Integer, Long> statuses, long requests, long spanMicros, LatencySummary latency) {
        double requestsPerSecond() {
            return spanMicros <= 0 ? 0 : requests * 1e6 / spanMicros;
        }

        long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    private ExternalLoad() {
    }

    /** Runs a command to completion, its output echoed with a prefix; returns the output. */
    static String run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var in = process.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.append(line).append('\n');
                    System.err.println("  | " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "load-output");
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join();
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
                    + output);
        }
        return output.toString();
    }

    /** The {@code HOOKLINE_WRK key=value ...} line of wrk's output. */
    static WrkResult parseWrk(String output) {
        for (String line : output.split("\n")) {
            if (!line.startsWith("HOOKLINE_WRK ")) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            for (String pair : line.substring("HOOKLINE_WRK ".length()).trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return new WrkResult(num(fields, "requests"), num(fields, "non2xx"),
                    num(fields, "connect") + num(fields, "read") + num(fields, "write") + num(fields, "timeout"),
                    num(fields, "duration_us"), (int) num(fields, "events_per_request"), num(fields, "p50_us"),
                    num(fields, "p90_us"), num(fields, "p99_us"), num(fields, "max_us"));
        }
        throw new IllegalStateException("wrk printed no HOOKLINE_WRK summary line (is the script bench/wrk/*.lua?):\n"
                + output);
    }

    private static long num(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException("wrk summary has no " + name);
        }
        return Math.round(Double.parseDouble(value));
    }

    /** h2load's {@code --log-file}: per request, tab-separated start time (µs since epoch), status, µs to response end. */
    static RateResult parseH2loadLog(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Map<Integer, Long> statuses = new TreeMap<>();
        long[] latencies = new long[lines.size()];
        int n = 0;
        long firstStart = Long.MAX_VALUE;
        long lastStart = Long.MIN_VALUE;
        List<String> bad = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\t");
            if (f.length < 3) {
                bad.add(line);
                continue;
            }
            long start = Long.parseLong(f[0].trim());
            int status = Integer.parseInt(f[1].trim());
            long micros = Long.parseLong(f[2].trim());
            statuses.merge(status, 1L, Long::sum);
            latencies[n++] = micros * 1000;
            firstStart = Math.min(firstStart, start);
            lastStart = Math.max(lastStart, start);
        }
        if (!bad.isEmpty()) {
            throw new IllegalStateException("unreadable h2load log lines, e.g. '" + bad.get(0) + "'");
        }
        return new RateResult(statuses, n, n == 0 ? 0 : lastStart - firstStart, LatencySummary.of(latencies, n));
    }
}
