package io.hookline.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.json.Json;
import io.hookline.standalone.Standalone;
import io.hookline.standalone.StandaloneConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * What every end-to-end benchmark runs against: the whole standalone Hookline in this JVM on free ports and a
 * temporary data directory, a {@link BenchReceiver} on 127.0.0.1, and one HTTP client for the admin API, the gateway
 * and the baselines. Closing stops everything and deletes the data directory.
 */
public final class BenchEnvironment implements AutoCloseable {
    private final Path dataDir;
    private final Standalone hookline;
    private final BenchReceiver receiver;
    /**
     * Used for the gateway and the direct baselines alike. The JDK client's default executor is an unbounded cached
     * pool that grows a thread per concurrent exchange; a small fixed pool costs less CPU on a 2-core machine.
     */
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "bench-http-client");
                t.setDaemon(true);
                return t;
            }))
            .build();

    private BenchEnvironment(Path dataDir, Standalone hookline, BenchReceiver receiver) {
        this.dataDir = dataDir;
        this.hookline = hookline;
        this.receiver = receiver;
    }

    public static BenchEnvironment start(Map<String, String> extraEnv, int receiverThreads) throws IOException {
        // The services log at INFO; a benchmark wants warnings only (must be set before the first logger exists).
        if (System.getProperty("HOOKLINE_LOG_LEVEL") == null && System.getenv("HOOKLINE_LOG_LEVEL") == null) {
            System.setProperty("HOOKLINE_LOG_LEVEL", "WARN");
        }
        Path dataDir = Files.createTempDirectory("hookline-bench-");
        long t0 = System.nanoTime();
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_DATA_DIR", dataDir.toString());
        for (String port : List.of("GATEWAY_PORT", "REGISTRAR_PORT", "DISPATCHER_PORT", "REPLAYER_PORT", "BROKER_PORT",
                "BROKER_CONTROLLER_PORT", "DB_PORT")) {
            env.put("HOOKLINE_" + port, "0");
        }
        env.putAll(extraEnv);
        Standalone hookline = null;
        try {
            hookline = Standalone.start(StandaloneConfig.from(env));
            BenchReceiver receiver = BenchReceiver.start(receiverThreads);
            progress("standalone up in %.1f s (gateway :%d, registrar :%d), receiver %s",
                    (System.nanoTime() - t0) / 1e9, hookline.gatewayPort(), hookline.registrarPort(), receiver.baseUrl());
            return new BenchEnvironment(dataDir, hookline, receiver);
        } catch (RuntimeException | IOException e) {
            if (hookline != null) {
                hookline.close();
            }
            deleteRecursively(dataDir);
            throw e;
        }
    }

    public Standalone hookline() {
        return hookline;
    }

    public BenchReceiver receiver() {
        return receiver;
    }

    public HttpClient client() {
        return client;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A CPU meter that also counts the embedded PostgreSQL (found by its data directory). */
    public MachineCpu machineCpu() {
        return new MachineCpu(dataDir.toString());
    }

    public JsonNode adminPost(String path, JsonNode body, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hookline.registrarPort() + path))
                .header("authorization", "Bearer " + hookline.adminKey())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return Json.MAPPER.readTree(response.body());
    }

    public void createTopic(String name, int partitions) throws IOException, InterruptedException {
        adminPost("/v1/topics", Json.MAPPER.createObjectNode().put("name", name).put("partitions", partitions), 201);
    }

    /** Creates a subscription and returns its id. */
    public String createSubscription(String url, String pattern, Integer maxInFlight, Integer timeoutMs)
            throws IOException, InterruptedException {
        ObjectNode subscription = Json.MAPPER.createObjectNode().put("url", url).put("description", "benchmark");
        subscription.putArray("topics").add(pattern);
        if (maxInFlight != null) {
            subscription.put("maxInFlight", maxInFlight);
        }
        if (timeoutMs != null) {
            subscription.put("timeoutMs", timeoutMs);
        }
        return adminPost("/v1/subscriptions", subscription, 201).get("id").asText();
    }

    public HttpRequest publishRequest(String topic, byte[] body, boolean batch) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hookline.gatewayPort() + "/v1/topics/" + topic
                        + "/events" + (batch ? "/batch" : "")))
                .header("authorization", "Bearer " + hookline.adminKey())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /**
     * Until the gateway knows the topic and the dispatcher's index has every subscription, events are refused (404,
     * or 503 while the gateway's producer has no metadata for the new events topic) or reach fewer subscriptions;
     * probes with single events until one reached {@code subscriptions} receivers (or, for 0, until the gateway
     * accepts one).
     */
    public void awaitPipelineReady(String topic, int subscriptions) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        byte[] probe = "{\"probe\":true}".getBytes(StandardCharsets.UTF_8);
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<byte[]> response = client.send(publishRequest(topic, probe, false),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 202 && subscriptions == 0) {
                progress("pipeline ready: the gateway accepts events (no subscriptions: publish only)");
                return;
            }
            if (response.statusCode() == 202) {
                String id = Json.MAPPER.readTree(response.body()).get("id").asText();
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() - until < 0) {
                    if (receiver.subscriptionsThatReceived(id) >= subscriptions) {
                        progress("pipeline ready: a probe event reached all %d subscriptions", subscriptions);
                        return;
                    }
                    Thread.sleep(50);
                }
            } else if (response.statusCode() == 404 || response.statusCode() == 503) {
                // 404: the gateway has not seen the topic yet; 503: its producer has no metadata for the new events
                // topic yet (it answers 503 + Retry-After rather than block). Both pass; a client retries.
                if (response.statusCode() == 503) {
                    progress("probe publish answered 503 (%s); retrying",
                            new String(response.body(), StandardCharsets.UTF_8));
                }
                Thread.sleep(200);
            } else {
                throw new IllegalStateException("probe publish answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
        }
        throw new IllegalStateException("the pipeline did not deliver a probe event to all subscriptions in 2 minutes");
    }

    /**
     * Waits until {@code done} holds for the count {@code progress} reports, that count stops moving for a minute,
     * or {@code timeout} passes; prints progress every 10 s. Returns whether it completed.
     */
    public static boolean await(java.util.function.IntSupplier count, IntPredicate done, long expected,
                                Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastProgressAt = System.nanoTime();
        long lastReportAt = System.nanoTime();
        int seen = -1;
        while (System.nanoTime() - deadline < 0) {
            int now = count.getAsInt();
            if (done.test(now)) {
                return true;
            }
            if (now != seen) {
                seen = now;
                lastProgressAt = System.nanoTime();
            } else if (System.nanoTime() - lastProgressAt > Duration.ofMinutes(1).toNanos()) {
                progress("no progress for a minute; giving up with %d of %d", now, expected);
                return false;
            }
            if (System.nanoTime() - lastReportAt > Duration.ofSeconds(10).toNanos()) {
                progress("  %d of %d", now, expected);
                lastReportAt = System.nanoTime();
            }
            Thread.sleep(20);
        }
        progress("timed out with %d of %d", count.getAsInt(), expected);
        return false;
    }

    @Override
    public void close() {
        receiver.close();
        hookline.close();
        deleteRecursively(dataDir);
    }

    static String machine() {
        Runtime rt = Runtime.getRuntime();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%d cores, Java %s (%s), max heap %d MiB, %s %s, load average %.2f",
                rt.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                rt.maxMemory() / (1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"), load);
    }

    static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: it is a temp directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
