package io.hookline.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * End-to-end load on the whole of Hookline in this JVM: the standalone (embedded KRaft broker, embedded PostgreSQL,
 * registrar, gateway, dispatcher, replayer) on free ports and a temporary data directory, a local receiver on
 * 127.0.0.1, one topic with {@code --fanout} subscriptions, then events published through the gateway. Measured in
 * the same run, on the same machine: a direct POST baseline (the same HTTP client, the same concurrency, straight at
 * the same receiver: what "POST it yourself" achieves here) and a raw Kafka producer baseline against the same
 * broker. Prints one compact table; see {@link LoadCommand} for the options.
 */
public final class LoadDriver {
    static final String TOPIC = "bench.events";

    private final LoadOptions options;
    private BenchEnvironment env;
    private BenchReceiver receiver;

    LoadDriver(LoadOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new LoadCommand(), args));
    }

    /** Runs the benchmark and prints its report; 0 when every expected delivery arrived exactly once. */
    int run() throws Exception {
        System.out.println("# Hookline load driver, " + ZonedDateTime.now());
        System.out.println("# " + BenchEnvironment.machine());
        System.out.println("# " + options.describe());
        try (BenchEnvironment started = BenchEnvironment.start(options.env(), options.receiverThreads())) {
            env = started;
            receiver = started.receiver();
            return measure();
        }
    }

    private int measure() throws Exception {
        env.createTopic(TOPIC, options.partitions());
        for (int i = 0; i < options.fanOut(); i++) {
            env.createSubscription(receiver.baseUrl() + "/hook/" + i, options.wildcard() ? "bench.*" : TOPIC,
                    options.maxInFlight(), null);
        }
        BenchEnvironment.progress("created topic %s and %d subscriptions", TOPIC, options.fanOut());
        env.awaitPipelineReady(TOPIC, options.fanOut());
        warmUp();

        byte[] payload = payload(options.payloadBytes());
        ReportTable table = new ReportTable();
        // A producer that POSTs every event to every subscriber itself makes events × subscriptions requests.
        int perEvent = Math.max(1, options.fanOut());

        if (options.directBaseline()) {
            receiver.reset();
            HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/direct"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
            MachineCpu machineCpu = env.machineCpu();
            machineCpu.start();
            HttpLoad.Result r = new HttpLoad(env.client(), options.concurrency(), options.rate() * perEvent)
                    .run(options.events() * perEvent, options.duration(), i -> request, (i, response, s, e) -> { });
            table.row("direct POST to receiver (baseline)", r.count(204), ReportTable.perSecond(r.count(204),
                    r.elapsedNanos()), r.latency());
            table.note("direct baseline phase, " + machineCpu.stop());
            BenchEnvironment.progress("direct baseline: %d requests, %.0f/s", r.sent(),
                    ReportTable.perSecond(r.sent(), r.elapsedNanos()));
            noteFailures(table, "direct", r, 204);
        }

        if (options.kafkaBaseline()) {
            byte[] envelope = Json.write(new EventEnvelope(EventIds.newEventId(), TOPIC, "default", null, null,
                    Instant.now(), Instant.now(), Json.MAPPER.readTree(payload)));
            MachineCpu machineCpu = env.machineCpu();
            machineCpu.start();
            KafkaProducerBaseline.Result k = KafkaProducerBaseline.run(env.hookline().bootstrapServers(),
                    options.partitions(), options.events(), envelope, options.duration());
            table.row("raw Kafka producer acks=all (" + envelope.length + "B)", k.records() - k.errors(),
                    ReportTable.perSecond(k.records() - k.errors(), k.elapsedNanos()), k.latency());
            table.note("kafka baseline phase, " + machineCpu.stop());
            BenchEnvironment.progress("kafka baseline: %d records, %.0f/s", k.records(),
                    ReportTable.perSecond(k.records(), k.elapsedNanos()));
            if (k.errors() > 0) {
                table.note("kafka baseline: " + k.errors() + " errors, first: " + k.firstError());
            }
        }

        receiver.reset();
        Map<String, Long> publishStarts = new ConcurrentHashMap<>();
        ThreadCpuProfile cpu = new ThreadCpuProfile();
        MachineCpu machineCpu = env.machineCpu();
        cpu.start();
        machineCpu.start();
        long begin = System.nanoTime();
        HttpLoad.Result published = publish(options.events(), payload, publishStarts);
        long publishEnd = System.nanoTime();
        int accepted = publishStarts.size();
        long expected = (long) accepted * options.fanOut();
        BenchEnvironment.progress("published: %d accepted of %d requests in %.1f s; waiting for %d deliveries",
                accepted, published.sent(), (publishEnd - begin) / 1e9, expected);
        drain(expected);
        List<ThreadCpuProfile.Group> cpuGroups = cpu.stop();
        String machineLine = machineCpu.stop();
        long cpuElapsed = cpu.elapsedNanos();

        Tally tally = tally(receiver.arrivals(), publishStarts);
        String unit = options.batchSize() > 0 ? "gateway batch publish (202), events" : "gateway publish (202)";
        table.row(unit, accepted, ReportTable.perSecond(accepted, published.elapsedNanos()), published.latency());
        if (options.batchSize() > 0) {
            table.note("  (batch mode: latency is per request of " + options.batchSize() + " events)");
        }
        long lastArrival = receiver.lastArrivalNanos();
        if (options.fanOut() > 0) {
            table.row("end-to-end delivery (publish→receiver)", tally.matched(),
                    ReportTable.perSecond(tally.matched(), lastArrival - begin), tally.latency());
        }
        noteFailures(table, "gateway", published, 202);
        table.note(String.format(Locale.ROOT,
                "delivered %d of %d expected (%d events x %d subscriptions): missing %d, duplicates %d, "
                        + "unexpected %d; last delivery %.1f s after the last publish answer",
                tally.matched(), expected, accepted, options.fanOut(), Math.max(0, expected - tally.matched()),
                receiver.duplicates(), tally.unexpected(), lastArrival == 0 ? 0 : (lastArrival - publishEnd) / 1e9));
        System.out.println();
        System.out.print(table.render());
        System.out.println();
        System.out.println("Hookline phase (publish + drain), " + machineLine);
        System.out.println(cpu.jvmInternals());
        System.out.print(ThreadCpuProfile.render(cpuGroups, cpuElapsed, 15));
        boolean complete = tally.matched() == expected && receiver.duplicates() == 0;
        return complete ? 0 : 1;
    }

    /** JIT, connection pools and Kafka metadata warm for the gateway, the dispatcher and the direct path. */
    private void warmUp() throws Exception {
        receiver.reset();
        if (options.warmupEvents() == 0) {
            return;
        }
        byte[] payload = payload(options.payloadBytes());
        Map<String, Long> starts = new ConcurrentHashMap<>();
        publish(options.warmupEvents(), payload, starts);
        HttpRequest direct = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/direct"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        new HttpLoad(env.client(), options.concurrency(), 0).run(options.warmupEvents(), Duration.ZERO, i -> direct,
                (i, r, s, e) -> { });
        long expected = (long) starts.size() * options.fanOut();
        drain(expected);
        BenchEnvironment.progress("warm-up: %d events published, %d of %d deliveries arrived", starts.size(),
                receiver.delivered(), expected);
    }

    private HttpLoad.Result publish(int events, byte[] payload, Map<String, Long> starts) throws InterruptedException {
        int batch = options.batchSize();
        if (batch == 0) {
            HttpRequest request = env.publishRequest(TOPIC, payload, false);
            return new HttpLoad(env.client(), options.concurrency(), options.rate()).run(events, options.duration(),
                    i -> request, (i, response, start, end) -> {
                        if (response.statusCode() == 202) {
                            starts.put(idOf(response.body()), start);
                        }
                    });
        }
        int requests = (events + batch - 1) / batch;
        HttpRequest full = env.publishRequest(TOPIC, batchBody(payload, batch), true);
        int last = events - (requests - 1) * batch;
        HttpRequest tail = last == batch ? full : env.publishRequest(TOPIC, batchBody(payload, last), true);
        return new HttpLoad(env.client(), options.concurrency(), options.rate() / batch).run(requests,
                options.duration(), i -> i == requests - 1 ? tail : full, (i, response, start, end) -> {
                    if (response.statusCode() == 202) {
                        for (String id : batchIdsOf(response.body())) {
                            starts.put(id, start);
                        }
                    }
                });
    }

    /** Waits for {@code expected} distinct deliveries, then a second more for late duplicates (a retried delivery). */
    private void drain(long expected) throws InterruptedException {
        BenchEnvironment.await(receiver::delivered, n -> n >= expected, expected, options.drainTimeout());
        Thread.sleep(1000);
    }

    record Tally(long matched, long unexpected, LatencySummary latency) {
    }

    /** Joins arrivals to publish start times by webhook-id: end-to-end latency of every expected delivery. */
    static Tally tally(Map<String, Long> arrivals, Map<String, Long> publishStarts) {
        long[] samples = new long[arrivals.size()];
        int n = 0;
        long unexpected = 0;
        for (Map.Entry<String, Long> arrival : arrivals.entrySet()) {
            String key = arrival.getKey();
            int space = key.indexOf(' ');
            Long start = publishStarts.get(space < 0 ? key : key.substring(0, space));
            if (start == null) {
                unexpected++;
            } else {
                samples[n++] = arrival.getValue() - start;
            }
        }
        return new Tally(n, unexpected, LatencySummary.of(samples, n));
    }

    private static void noteFailures(ReportTable table, String phase, HttpLoad.Result r, int okStatus) {
        Map<Integer, Long> other = new HashMap<>(r.statuses());
        other.remove(okStatus);
        if (!other.isEmpty() || r.errors() > 0) {
            table.note(phase + ": " + (r.sent() - r.count(okStatus) - r.errors()) + " answers other than " + okStatus
                    + " " + other + ", " + r.errors() + " I/O errors" + (r.firstError() != null
                    ? " (first: " + r.firstError() + ")" : ""));
        }
    }

    /** A JSON object of exactly {@code bytes} bytes: {@code {"pad":"xxx…"}}. */
    static byte[] payload(int bytes) {
        int pad = Math.max(0, bytes - "{\"pad\":\"\"}".length());
        return ("{\"pad\":\"" + "x".repeat(pad) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] batchBody(byte[] payload, int events) {
        try {
            JsonNode node = Json.MAPPER.readTree(payload);
            ObjectNode root = Json.MAPPER.createObjectNode();
            ArrayNode list = root.putArray("events");
            for (int i = 0; i < events; i++) {
                list.addObject().set("payload", node);
            }
            return Json.write(root);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The event id of a single publish answer {@code {"id":"evt_…","topic":…}}. */
    static String idOf(byte[] body) {
        try {
            return Json.MAPPER.readTree(body).get("id").asText();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("unexpected publish answer: " + new String(body, StandardCharsets.UTF_8));
        }
    }

    /** The ids of the accepted items of a batch answer {@code {"results":[{"id":…}|{"error":…}]}}. */
    static List<String> batchIdsOf(byte[] body) {
        try {
            List<String> ids = new ArrayList<>();
            for (JsonNode result : Json.MAPPER.readTree(body).get("results")) {
                if (result.hasNonNull("id")) {
                    ids.add(result.get("id").asText());
                }
            }
            return ids;
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("unexpected batch answer: " + new String(body, StandardCharsets.UTF_8));
        }
    }
}
