package io.hookline.bench.gateway;

import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.bench.load.KafkaProducerBaseline;
import io.hookline.bench.load.LatencySummary;
import io.hookline.bench.load.MachineCpu;
import io.hookline.bench.load.ThreadCpuProfile;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.embedded.EmbeddedKafkaBroker;
import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.GatewayService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ingest gateway's own benchmark (issue 4's targets): an embedded KRaft broker and the gateway in this JVM, the
 * load from wrk and h2load as child processes, so the gateway is measured without a Java load generator eating the
 * same cores. Each phase reports the cores the gateway's threads, the broker's threads, the load generator and the
 * other processes of the machine used. See {@link GatewayCommand} for the options.
 */
public final class GatewayBench {
    static final String TOPIC = "bench.events";
    static final String TENANT = "bench";
    private static final List<String> SCRIPTS = List.of("common.lua", "publish.lua", "batch.lua", "payload-1k.json");

    private final GatewayBenchOptions options;
    private final Path workDir;
    private EmbeddedKafkaBroker broker;
    private GatewayService gateway;
    private String key;
    private String url;
    private final Map<String, String> summary = new LinkedHashMap<>();

    private GatewayBench(GatewayBenchOptions options, Path workDir) {
        this.options = options;
        this.workDir = workDir;
    }

    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new GatewayCommand(), args));
    }

    static int run(GatewayBenchOptions options) throws Exception {
        if (System.getProperty("HOOKLINE_LOG_LEVEL") == null && System.getenv("HOOKLINE_LOG_LEVEL") == null) {
            System.setProperty("HOOKLINE_LOG_LEVEL", "WARN");
        }
        Path workDir = Files.createTempDirectory("hookline-gateway-bench-");
        GatewayBench bench = new GatewayBench(options, workDir);
        try {
            bench.start();
            if (options.serve()) {
                bench.serve();
            } else {
                bench.measure();
            }
        } finally {
            bench.stop();
        }
        return 0;
    }

    private void start() throws Exception {
        long t0 = System.nanoTime();
        for (String script : SCRIPTS) {
            try (InputStream in = GatewayBench.class.getResourceAsStream("/wrk/" + script)) {
                if (in == null) {
                    throw new IllegalStateException("wrk/" + script + " is not in the jar");
                }
                Files.copy(in, workDir.resolve(script));
            }
        }
        broker = EmbeddedKafkaBroker.builder().dataDirectory(workDir.resolve("kafka")).brokerPort(0)
                .controllerPort(0).build().start();
        TopicNames names = new TopicNames(TopicNames.DEFAULT_PREFIX);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, names);
            List<NewTopic> topics = new ArrayList<>();
            for (NewTopic topic : provisioner.systemTopics(1)) {
                if (Set.of(names.topicRegistry(), names.apiKeys()).contains(topic.name())) {
                    topics.add(topic);
                }
            }
            topics.add(provisioner.eventsTopic(TOPIC, options.partitions()));
            provisioner.ensure(topics, Duration.ofSeconds(60));
        }
        key = ApiKeys.generate();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(names.topicRegistry(), TOPIC, Json.writeString(new TopicRecord(TOPIC,
                    TENANT, options.partitions(), "gateway benchmark", null, Instant.now())))).get(60, TimeUnit.SECONDS);
            String keyId = EventIds.newId("key_");
            producer.send(new ProducerRecord<>(names.apiKeys(), keyId, Json.writeString(new ApiKeyRecord(keyId, TENANT,
                    Set.of("publish"), ApiKeys.hash(key), Instant.now())))).get(60, TimeUnit.SECONDS);
        }
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("HOOKLINE_ADMIN_KEY", ApiKeys.generate());
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.putAll(options.env());
        gateway = GatewayService.start(GatewayConfig.from(env));
        url = "http://127.0.0.1:" + gateway.httpPort();
        awaitAccepting();
        progress("broker %s and gateway %s up in %.1f s; scripts in %s", broker.bootstrapServers(), url,
                (System.nanoTime() - t0) / 1e9, workDir);
    }

    /** Until the gateway has the topic, the key and the events topic's metadata, publishes answer 404 or 503. */
    private void awaitAccepting() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int last = 0;
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/topics/" + TOPIC
                            + "/events")).header("authorization", "Bearer " + key)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"probe\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = response.statusCode();
            if (last == 202) {
                return;
            }
            if (last != 404 && last != 401 && last != 503) {
                throw new IllegalStateException("probe publish answered " + last + ": " + response.body());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway did not accept a probe publish in 2 minutes (last " + last + ")");
    }

    private void serve() throws InterruptedException {
        System.out.println("# gateway " + url + ", tenant key " + key + ", topic " + TOPIC);
        System.out.println("export HOOKLINE_KEY=" + key);
        System.out.println(String.join(" ", wrkCommand("publish.lua", options.connections(), options.seconds())));
        System.out.println("HOOKLINE_BATCH=" + options.batchSize() + " "
                + String.join(" ", wrkCommand("batch.lua", options.batchConnections(), options.seconds())));
        System.out.println(String.join(" ", h2loadCommand(workDir.resolve("h2load.log"))));
        System.out.println("# Ctrl-C stops the gateway and the broker and deletes " + workDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            stopped.countDown();
        }));
        stopped.await();
    }

    private void measure() throws Exception {
        System.out.println("# Hookline gateway benchmark, " + ZonedDateTime.now());
        System.out.println("# " + machine());
        System.out.println("# phases " + options.phases() + ", " + options.seconds() + " s each, topic " + TOPIC + " ("
                + options.partitions() + " partitions), payload 1024 B, gateway env " + options.env());
        if (options.warmupSeconds() > 0) {
            // Both request paths and the raw producer get compiled before anything is measured: without it the JIT
            // was still compiling for most of a 30 s phase on this machine.
            progress("warm-up: %d s of single publish, %d s of batch publish, %d raw records (not reported)",
                    options.warmupSeconds(), options.warmupSeconds() / 3, options.kafkaRecords() / 5);
            ExternalLoad.run(wrkCommand("publish.lua", options.connections(), options.warmupSeconds()), wrkEnv(),
                    options.warmupSeconds() + 60L);
            if (options.phases().contains("batch") && options.warmupSeconds() >= 3) {
                Map<String, String> env = wrkEnv();
                env.put("HOOKLINE_BATCH", Integer.toString(options.batchSize()));
                ExternalLoad.run(wrkCommand("batch.lua", options.batchConnections(), options.warmupSeconds() / 3), env,
                        options.warmupSeconds() / 3 + 60L);
            }
            if (options.phases().contains("kafka")) {
                KafkaProducerBaseline.run(broker.bootstrapServers(), options.partitions(),
                        Math.max(1, options.kafkaRecords() / 5), envelopeSized(), Duration.ofMinutes(2));
            }
        }
        double kafkaRate = 0;
        double batchRate = 0;
        for (String phase : options.phases()) {
            Phase cpu = new Phase();
            switch (phase) {
                case "kafka" -> {
                    KafkaProducerBaseline.Result r = KafkaProducerBaseline.run(broker.bootstrapServers(),
                            options.partitions(), options.kafkaRecords(), envelopeSized(), Duration.ofMinutes(5));
                    kafkaRate = r.records() * 1e9 / r.elapsedNanos();
                    report("kafka", String.format(Locale.ROOT, "raw KafkaProducer: %d records of 1208 B in %.1f s = "
                            + "%.0f records/s, %d errors%s; send->ack %s", r.records(), r.elapsedNanos() / 1e9,
                            kafkaRate, r.errors(), r.firstError() == null ? "" : " (" + r.firstError() + ")",
                            millis(r.latency())), cpu, r.records());
                }
                case "single" -> {
                    ExternalLoad.WrkResult r = ExternalLoad.parseWrk(ExternalLoad.run(wrkCommand("publish.lua",
                            options.connections(), options.seconds()), wrkEnv(), options.seconds() + 60L));
                    report("single", wrkLine(r, options.connections()), cpu, r.acceptedEvents());
                    summary.put("single publish (target >= 20000/s)", String.format(Locale.ROOT, "%.0f events/s",
                            r.acceptedEventsPerSecond()));
                }
                case "batch" -> {
                    Map<String, String> env = wrkEnv();
                    env.put("HOOKLINE_BATCH", Integer.toString(options.batchSize()));
                    ExternalLoad.WrkResult r = ExternalLoad.parseWrk(ExternalLoad.run(wrkCommand("batch.lua",
                            options.batchConnections(), options.seconds()), env, options.seconds() + 60L));
                    batchRate = r.acceptedEventsPerSecond();
                    report("batch", wrkLine(r, options.batchConnections()) + " (latency per request of "
                            + options.batchSize() + " events)", cpu, r.acceptedEvents());
                }
                case "rate" -> {
                    Path log = workDir.resolve("h2load.log");
                    Files.deleteIfExists(log);
                    ExternalLoad.run(h2loadCommand(log), Map.of(), options.seconds() + 60L);
                    ExternalLoad.RateResult r = ExternalLoad.parseH2loadLog(log);
                    report("rate", String.format(Locale.ROOT, "h2load at %d/s (%d connections x %d/s): %d requests "
                                    + "at %.0f/s, statuses %s; latency %s", options.rate(), options.rateConnections(),
                            options.ratePerConnection(), r.requests(), r.requestsPerSecond(), r.statuses(),
                            millis(r.latency())), cpu, r.count(202));
                    summary.put("p99 at " + options.rate() + "/s (target <= 25 ms)", String.format(Locale.ROOT,
                            "%.1f ms (%.0f requests/s sent, %d not 202)", r.latency().p99() / 1e6,
                            r.requestsPerSecond(), r.requests() - r.count(202)));
                }
                default -> throw new IllegalStateException(phase);
            }
        }
        if (batchRate > 0 && kafkaRate > 0) {
            summary.put("batch / raw Kafka (target >= 50 %)", String.format(Locale.ROOT, "%.0f / %.0f = %.0f %%",
                    batchRate, kafkaRate, 100 * batchRate / kafkaRate));
        } else if (batchRate > 0) {
            summary.put("batch publish", String.format(Locale.ROOT, "%.0f events/s (no kafka phase)", batchRate));
        }
        System.out.println("== summary");
        summary.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    }

    private List<String> wrkCommand(String script, int connections, int seconds) {
        return List.of("wrk", "-t" + Math.min(options.threads(), connections), "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "-s", workDir.resolve(script).toString(), url);
    }

    private Map<String, String> wrkEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_KEY", key);
        env.put("HOOKLINE_TOPIC", TOPIC);
        return env;
    }

    private List<String> h2loadCommand(Path log) {
        return List.of("h2load", "--h1", "-t", "1", "-c", Integer.toString(options.rateConnections()),
                "--rps", Integer.toString(options.ratePerConnection()), "-D", Integer.toString(options.seconds()),
                "-d", workDir.resolve("payload-1k.json").toString(), "-H", "authorization: Bearer " + key,
                "-H", "content-type: application/json", "--log-file", log.toString(),
                url + "/v1/topics/" + TOPIC + "/events");
    }

    private static String wrkLine(ExternalLoad.WrkResult r, int connections) {
        return String.format(Locale.ROOT, "wrk, %d connections: %.0f events/s accepted (%d requests in %.1f s, %d "
                        + "answered >= 400, %d socket errors); latency p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms",
                connections, r.acceptedEventsPerSecond(), r.requests(), r.durationMicros() / 1e6, r.non2xx(),
                r.socketErrors(), r.p50Micros() / 1e3, r.p90Micros() / 1e3, r.p99Micros() / 1e3, r.maxMicros() / 1e3);
    }

    private static String millis(LatencySummary s) {
        return String.format(Locale.ROOT, "p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms", s.p50() / 1e6,
                s.p90() / 1e6, s.p99() / 1e6, s.max() / 1e6);
    }

    /** An envelope-sized record (the gateway's envelope around the 1 KiB payload is about 1208 bytes). */
    private static byte[] envelopeSized() {
        byte[] value = new byte[1208];
        java.util.Arrays.fill(value, (byte) 'x');
        return value;
    }

    private static void report(String phase, String result, Phase cpu, long events) {
        System.out.println("== " + phase);
        System.out.println("  " + result);
        System.out.print(cpu.stop(events));
    }

    /** CPU of one phase: the machine split by process, and this JVM split by thread group into gateway and broker. */
    private static final class Phase {
        private final MachineCpu machine = new MachineCpu(null, "load generator (wrk/h2load)");
        private final ThreadCpuProfile threads = new ThreadCpuProfile();

        Phase() {
            machine.start();
            threads.start();
        }

        /** The report; {@code events} (the events the phase stored) turns CPU time into CPU per event. */
        String stop(long events) {
            long elapsed = threads.elapsedNanos();
            List<ThreadCpuProfile.Group> groups = threads.stop();
            String machineLine = machine.stop();
            Map<String, Long> sides = new LinkedHashMap<>();
            for (ThreadCpuProfile.Group g : groups) {
                sides.merge(sideOf(g.name()), g.cpuNanos(), Long::sum);
            }
            StringBuilder out = new StringBuilder("  " + machineLine + "\n  JVM threads:");
            sides.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> out.append(String.format(Locale.ROOT, " %s %.2f cores%s,", e.getKey(),
                            (double) e.getValue() / elapsed, events <= 0 ? "" : String.format(Locale.ROOT,
                                    " (%.1f µs per event)", e.getValue() / 1e3 / events))));
            out.setLength(out.length() - 1);
            out.append(" (GC and JIT are the JVM's rest)\n    ").append(threads.jvmInternals()).append('\n');
            for (String line : ThreadCpuProfile.render(groups, elapsed, 10).split("\n")) {
                out.append("    ").append(line).append('\n');
            }
            return out.toString();
        }
    }

    /** Which component a thread group belongs to: the gateway (HTTP event loops, producer, views) or the broker. */
    static String sideOf(String group) {
        if (group.contains("bench-raw-producer") || group.equals("main") || group.startsWith("load-output")) {
            return "benchmark";
        }
        if (group.contains("gateway") || group.contains("eventloop")) {
            return "gateway";
        }
        return "broker";
    }

    private static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%d cores, Java %s, max heap %d MiB, load average %.2f",
                rt.availableProcessors(), System.getProperty("java.version"), rt.maxMemory() / (1024 * 1024),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private synchronized void stop() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    private static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[gateway-bench] " + format + "%n", args);
    }
}
