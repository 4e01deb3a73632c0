package io.hookline.bench.load;

import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.dispatcher.DispatcherConfig;
import io.hookline.dispatcher.DispatcherService;
import io.hookline.dispatcher.retry.RetryHeaders;
import io.hookline.dispatcher.retry.RetryTierConsumer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The delivery stage alone (issue 6): delivery tasks are written straight onto {@code hookline.deliveries} (keyed by
 * subscription id, as the fan-out stage writes them) far faster than they can be delivered, so the stage works
 * through a backlog; measured as deliveries/s arriving at the local receiver. In the same run:
 * <ul>
 *   <li>a raw baseline — a plain {@link KafkaConsumer} over the same kind of records on a topic of the same
 *       partition count, POSTing each with the same async HTTP client, committing after the responses, no limits
 *       and no signing;</li>
 *   <li>an isolation phase — the same backlog spread over the same subscriptions plus one whose endpoint never
 *       answers (it times out after {@code --slow-timeout}): the healthy subscriptions' rate should barely drop;</li>
 *   <li>a pending-retries phase (issue 7) — the same backlog once {@code --pending-retries} retries of the same
 *       subscriptions wait in a delay tier, not due before the phase ends: the rate should not drop by more than
 *       10 %.</li>
 * </ul>
 * The producer of each backlog runs concurrently with the consumer side, in both Hookline's and the baseline's case.
 */
public final class DeliveryDriver {
    private final DeliveryOptions options;
    private BenchEnvironment env;
    private BenchReceiver receiver;
    private DispatcherService deliveryStage;

    DeliveryDriver(DeliveryOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new DeliveryCommand(), args));
    }

    int run() throws Exception {
        System.out.println("# Hookline delivery-stage benchmark, " + ZonedDateTime.now());
        System.out.println("# " + BenchEnvironment.machine());
        System.out.println("# " + options.describe());
        // The standalone's dispatcher fans out only: the delivery stage measured is started per phase, once the
        // phase's backlog is written (see hooklinePhase).
        Map<String, String> settings = new HashMap<>(options.env());
        settings.put("HOOKLINE_DISPATCHER_STAGES", "fanout");
        try (BenchEnvironment started = BenchEnvironment.start(settings, options.receiverThreads());
             BlackholeServer blackhole = new BlackholeServer()) {
            env = started;
            receiver = started.receiver();
            return measure(blackhole);
        }
    }

    private int measure(BlackholeServer blackhole) throws Exception {
        String topic = LoadDriver.TOPIC;
        env.createTopic(topic, 6);
        // The hanging subscription listens to a topic nobody publishes to: only the tasks written for it reach it.
        String slow = options.isolation() ? env.createSubscription(blackhole.baseUrl() + "/slow", "bench.slow.*",
                options.maxInFlight(), (int) options.slowTimeout().toMillis()) : null;
        int healthyCount = options.isolation() ? options.subscriptions() - 1 : options.subscriptions();
        List<String> healthy = new ArrayList<>();
        for (int i = 0; i < healthyCount; i++) {
            healthy.add(env.createSubscription(receiver.baseUrl() + "/hook/" + i, topic, options.maxInFlight(), null));
        }
        BenchEnvironment.progress("created %d healthy subscriptions%s", healthyCount,
                slow != null ? " and 1 whose endpoint never answers" : "");
        startDeliveryStage();
        env.awaitPipelineReady(topic, healthyCount);

        String prefix = options.env().getOrDefault("HOOKLINE_TOPIC_PREFIX", TopicNames.DEFAULT_PREFIX);
        String deliveries = new TopicNames(prefix).deliveries();
        byte[] payload = LoadDriver.payload(options.payloadBytes());
        ReportTable table = new ReportTable();
        boolean complete = true;

        try (KafkaProducer<String, byte[]> producer = producer()) {
            // Warm-up: JIT and connection pools, a tenth of a phase unless --warmup says otherwise, not measured.
            receiver.reset();
            List<Task> warmUp = tasks(options.warmUp(), healthy, null, payload, topic);
            send(producer, deliveries, warmUp);
            BenchEnvironment.await(receiver::delivered, n -> n >= warmUp.size(), warmUp.size(), options.drainTimeout());
            BenchEnvironment.progress("warm-up: %d of %d tasks delivered", receiver.delivered(), warmUp.size());
            stopDeliveryStage();

            double baselineRate = 0;
            if (options.baseline()) {
                List<Task> tasks = tasks(options.tasks(), healthy, null, payload, topic);
                receiver.reset();
                Phase p = rawBaseline(producer, deliveries, tasks);
                baselineRate = p.rate();
                table.row("raw consumer -> POST, commit after (baseline)", p.delivered(), p.rate(), null);
                table.note("baseline phase, " + p.cpu());
            }

            List<Task> tasks = tasks(options.tasks(), healthy, null, payload, topic);
            if (options.pendingRetries() > 0) {
                quiesce(prefix); // as before every phase it is compared with
            }
            Phase healthyPhase = hooklinePhase(producer, deliveries, tasks, tasks.size());
            table.row("Hookline delivery stage", healthyPhase.delivered(), healthyPhase.rate(), null);
            table.note(String.format(Locale.ROOT, "Hookline phase: %d of %d delivered, duplicates %d, backlog written "
                            + "in %.1f s; %s", healthyPhase.delivered(), tasks.size(), healthyPhase.duplicates(),
                    healthyPhase.produceSeconds(), healthyPhase.cpu()));
            complete &= healthyPhase.delivered() == tasks.size() && healthyPhase.duplicates() == 0;
            if (baselineRate > 0) {
                table.note(String.format(Locale.ROOT, "Hookline / baseline = %.0f %%",
                        100 * healthyPhase.rate() / baselineRate));
            }

            if (options.pendingRetries() > 0) {
                complete &= pendingRetriesPhases(producer, deliveries, prefix, healthy, payload, topic, healthyPhase,
                        table);
            }

            if (slow != null) {
                List<Task> mixed = tasks(options.tasks(), healthy, slow, payload, topic);
                long toHealthy = mixed.stream().filter(t -> !t.subscriptionId().equals(slow)).count();
                long connectionsBefore = blackhole.connections();
                Phase isolated = hooklinePhase(producer, deliveries, mixed, toHealthy);
                table.row("… with 1 of " + options.subscriptions() + " endpoints hanging: healthy",
                        isolated.delivered(), isolated.rate(), null);
                table.note(String.format(Locale.ROOT, "isolation phase: %d of %d healthy tasks delivered, %d tasks "
                                + "for the hanging endpoint (%d connections to it); healthy rate %.0f %% of the phase "
                                + "without it; %s", isolated.delivered(), toHealthy, mixed.size() - toHealthy,
                        blackhole.connections() - connectionsBefore, 100 * isolated.rate() / healthyPhase.rate(),
                        isolated.cpu()));
                complete &= isolated.delivered() == toHealthy;
            }
        }
        System.out.println();
        System.out.print(table.render());
        return complete ? 0 : 1;
    }

    /**
     * Issue 7: parks {@code --pending-retries} retries of the same subscriptions in the delay tier of
     * {@code --pending-delay} (due then, written as the dispatcher writes them), then delivers a fresh backlog of the
     * same size as the phase without them. With {@code --pending-rounds} above 1 the phases alternate in ABBA order
     * (without, with | with, without | ...; the parked retries are deleted from their topic in between), so a steady
     * drift over the run (JIT warm-up, the neighbours' load) cancels out over an even number of rounds. Compares the
     * rates and this JVM's CPU time per delivery (which other processes' load on a shared machine changes less).
     * Checks that no parked retry left its tier (the tier consumer committed nothing), so the phases measured fresh
     * deliveries only.
     */
    private boolean pendingRetriesPhases(KafkaProducer<String, byte[]> producer, String deliveries, String prefix,
                                         List<String> healthy, byte[] payload, String topic, Phase firstWithout,
                                         ReportTable table) throws Exception {
        PendingRetries pending = new PendingRetries(producer, deliveries, new TopicNames(prefix), healthy, payload,
                topic, table);
        int rounds = options.pendingRounds();
        double[] rate = new double[2]; // summed over rounds: [without, with]
        double[] cpuMicros = new double[2];
        for (int round = 1; round <= rounds; round++) {
            String suffix = rounds > 1 ? " (round " + round + ")" : "";
            Phase without;
            Phase with;
            if (round % 2 == 1) {
                without = round == 1 ? firstWithout : pending.without(suffix);
                with = pending.with(suffix);
            } else {
                with = pending.with(suffix);
                without = pending.without(suffix);
            }
            table.note(String.format(Locale.ROOT, "round %d: fresh rate with retries pending %.0f %% of the rate "
                            + "without; JVM CPU per delivery %.0f µs with, %.0f µs without", round,
                    100 * with.rate() / without.rate(), with.cpuMicrosPerDelivery(), without.cpuMicrosPerDelivery()));
            rate[0] += without.rate();
            rate[1] += with.rate();
            cpuMicros[0] += without.cpuMicrosPerDelivery();
            cpuMicros[1] += with.cpuMicrosPerDelivery();
        }
        if (rounds > 1) {
            table.note(String.format(Locale.ROOT, "over %d rounds: fresh rate with retries pending %.0f %% of the rate "
                            + "without; JVM CPU per delivery %.0f µs with, %.0f µs without (%+.0f %%)", rounds,
                    100 * rate[1] / rate[0], cpuMicros[1] / rounds, cpuMicros[0] / rounds,
                    100 * (cpuMicros[1] - cpuMicros[0]) / cpuMicros[0]));
        }
        pending.unparkIfParked(); // released after --pending-delay, they would reach the later phases' receiver
        return pending.complete;
    }

    /** The two kinds of phase {@link #pendingRetriesPhases} alternates; the retries stay parked between them. */
    private final class PendingRetries {
        private final KafkaProducer<String, byte[]> producer;
        private final String deliveries;
        private final TopicNames names;
        private final String tier;
        private final List<String> healthy;
        private final byte[] payload;
        private final String topic;
        private final ReportTable table;
        private boolean parked;
        boolean complete = true;

        PendingRetries(KafkaProducer<String, byte[]> producer, String deliveries, TopicNames names,
                       List<String> healthy, byte[] payload, String topic, ReportTable table) {
            this.producer = producer;
            this.deliveries = deliveries;
            this.names = names;
            this.tier = names.retry(options.pendingDelay());
            this.healthy = healthy;
            this.payload = payload;
            this.topic = topic;
            this.table = table;
        }

        Phase without(String suffix) throws Exception {
            unparkIfParked();
            quiesce(names.prefix());
            List<Task> fresh = tasks(options.tasks(), healthy, null, payload, topic);
            Phase phase = hooklinePhase(producer, deliveries, fresh, fresh.size());
            table.row("Hookline delivery stage, no retries pending" + suffix, phase.delivered(), phase.rate(), null);
            table.note(String.format(Locale.ROOT, "without pending retries%s: %d of %d delivered, duplicates %d, "
                            + "JVM CPU %.0f µs per delivery, retry-tiers thread %.2f s; %s", suffix, phase.delivered(),
                    fresh.size(), phase.duplicates(), phase.cpuMicrosPerDelivery(), phase.tierCpuSeconds(),
                    phase.cpu()));
            complete &= phase.delivered() == fresh.size() && phase.duplicates() == 0;
            return phase;
        }

        Phase with(String suffix) throws Exception {
            double parkSeconds = park();
            int count = options.pendingRetries();
            BenchEnvironment.progress("parked %d retries on %s in %.1f s (due in %s)", count, tier, parkSeconds,
                    options.pendingDelay());
            quiesce(names.prefix()); // also lets the tier consumer read each partition's head and pause on it

            List<Task> fresh = tasks(options.tasks(), healthy, null, payload, topic);
            Phase phase = hooklinePhase(producer, deliveries, fresh, fresh.size());
            long released = committedOffsets(env.hookline().bootstrapServers(), RetryTierConsumer.groupId(names),
                    tier);
            table.row("… with " + count + " retries pending in " + tier + suffix, phase.delivered(),
                    phase.rate(), null);
            table.note(String.format(Locale.ROOT, "with pending retries%s: %d of %d fresh tasks delivered, "
                            + "duplicates %d; %d retries parked in %.1f s beforehand, %d of them left their tier; "
                            + "JVM CPU %.0f µs per delivery, retry-tiers thread %.2f s; %s", suffix,
                    phase.delivered(), fresh.size(), phase.duplicates(), count, parkSeconds, released,
                    phase.cpuMicrosPerDelivery(), phase.tierCpuSeconds(), phase.cpu()));
            complete &= phase.delivered() == fresh.size() && phase.duplicates() == 0 && released == 0;
            return phase;
        }

        void unparkIfParked() throws Exception {
            if (parked) {
                long deleted = unpark(env.hookline().bootstrapServers(), tier);
                parked = false;
                BenchEnvironment.progress("deleted %d parked retries from %s", deleted, tier);
            }
        }

        /**
         * Writes the retries and returns how long that took. The records are built here and dropped on return: kept
         * alive through the phase, their ~150 MB would be garbage-collector work the phase without them does not
         * have.
         */
        private double park() {
            Instant failedAt = Instant.now();
            Instant due = failedAt.plus(options.pendingDelay());
            List<Task> retries = retries(options.pendingRetries(), healthy, payload, topic, failedAt, due);
            long start = System.nanoTime();
            sendRetries(producer, tier, retries, failedAt, due);
            parked = true;
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Deletes every record of {@code topic} (the parked retries); returns how many there were. */
    private static long unpark(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions()) {
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            long count = 0;
            for (var e : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
                delete.put(e.getKey(), RecordsToDelete.beforeOffset(e.getValue().offset()));
            }
            Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
            request.keySet().forEach(tp -> starts.put(tp, OffsetSpec.earliest()));
            var before = admin.listOffsets(starts).all().get(30, TimeUnit.SECONDS);
            for (var e : delete.entrySet()) {
                count += e.getValue().beforeOffset() - before.get(e.getKey()).offset();
            }
            admin.deleteRecords(delete).all().get(60, TimeUnit.SECONDS);
            return count;
        }
    }

    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String WARM_UP_KEY = "warm-up";

    /**
     * Starts every compared phase from the same state: the registrar has recorded every attempt so far (it records
     * the previous phase's 100 000 attempts for a while after the phase ends, on the same cores), then
     * {@link #SETTLE} of quiet.
     */
    private void quiesce(String prefix) throws Exception {
        TopicNames names = new TopicNames(prefix);
        String group = prefix + "-registrar-attempts";
        long start = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                env.hookline().bootstrapServers()))) {
            long deadline = start + Duration.ofMinutes(5).toNanos();
            long behind;
            do {
                behind = lag(admin, group, names.attempts());
                if (behind > 0) {
                    Thread.sleep(250);
                }
            } while (behind > 0 && System.nanoTime() - deadline < 0);
            BenchEnvironment.progress("registrar caught up on %s (%d behind) after %.1f s; %d s of quiet",
                    names.attempts(), behind, (System.nanoTime() - start) / 1e9, SETTLE.toSeconds());
        }
        Thread.sleep(SETTLE.toMillis());
    }

    /** Records of {@code topic} the group has not committed yet. */
    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions()) {
            request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long behind = 0;
        for (var end : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            behind += end.getValue().offset() - (at == null ? 0 : at.offset());
        }
        return behind;
    }

    /**
     * {@code count} second attempts over the subscriptions round robin, due at {@code due}, with the headers the
     * dispatcher's retry path writes ({@code hookline-due-at}, one failed attempt in {@code hookline-attempts}).
     */
    static List<Task> retries(int count, List<String> subscriptions, byte[] payload, String topic, Instant failedAt,
                              Instant due) {
        List<Task> first = tasks(count, subscriptions, null, payload, topic);
        List<Task> out = new ArrayList<>(count);
        for (Task t : first) {
            DeliveryTask next = Json.read(t.value(), DeliveryTask.class).nextAttempt(failedAt, due);
            out.add(new Task(t.subscriptionId(), Json.write(next)));
        }
        return out;
    }

    private static void sendRetries(KafkaProducer<String, byte[]> producer, String topic, List<Task> tasks,
                                    Instant failedAt, Instant due) {
        List<DeadLetter.AttemptSummary> history = List.of(new DeadLetter.AttemptSummary(1, failedAt, 500, 5,
                "HTTP 500"));
        for (Task t : tasks) {
            producer.send(new ProducerRecord<>(topic, null, t.subscriptionId(), t.value(),
                    RetryHeaders.of(due, history)));
        }
        producer.flush();
    }

    /** The sum of the group's committed offsets on {@code topic}: records the tier consumer handed on. */
    private static long committedOffsets(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long sum = 0;
            for (var e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        }
    }

    /** One task record: key = subscription id, value = a {@link DeliveryTask} as the fan-out stage writes it. */
    record Task(String subscriptionId, byte[] value) {
    }

    /** @param tierCpuSeconds CPU time of the retry tier consumer's thread ({@code retry-tiers}) */
    record Phase(long delivered, double rate, int duplicates, double produceSeconds, String cpu,
                 double jvmCpuSeconds, double tierCpuSeconds) {
        /** This JVM's CPU time (broker, dispatcher, receiver, backlog writer) per delivery. */
        double cpuMicrosPerDelivery() {
            return delivered == 0 ? 0 : jvmCpuSeconds * 1e6 / delivered;
        }
    }

    /**
     * {@code count} tasks over the healthy subscriptions round robin; with {@code slow}, every
     * {@code subscriptions}-th task goes to it instead, so it gets its fair share of one subscription.
     */
    static List<Task> tasks(int count, List<String> healthy, String slow, byte[] payload, String topic) {
        int ring = healthy.size() + (slow != null ? 1 : 0);
        List<Task> out = new ArrayList<>(count);
        Instant now = Instant.now();
        var payloadNode = readTree(payload);
        for (int i = 0; i < count; i++) {
            int slot = i % ring;
            String subscription = slot < healthy.size() ? healthy.get(slot) : slow;
            EventEnvelope event = new EventEnvelope(EventIds.newEventId(), topic, "default", null, null, now, now,
                    payloadNode);
            out.add(new Task(subscription, Json.write(DeliveryTask.first(event, subscription, now, 0, i))));
        }
        return out;
    }

    /**
     * One measured phase: the backlog is written while no delivery stage runs, then a delivery stage starts and
     * works through it. The rate counts from the first delivery to the last, so the stage's start-up (index load,
     * group join) is reported apart rather than diluting the throughput.
     */
    private Phase hooklinePhase(KafkaProducer<String, byte[]> producer, String deliveries, List<Task> tasks,
                                long expected) throws Exception {
        receiver.reset();
        long writing = System.nanoTime();
        send(producer, deliveries, tasks);
        double produced = (System.nanoTime() - writing) / 1e9;
        MachineCpu cpu = env.machineCpu();
        ThreadCpuProfile threads = new ThreadCpuProfile();
        threads.start();
        cpu.start();
        long start = System.nanoTime();
        startDeliveryStage();
        BenchEnvironment.await(receiver::delivered, n -> n >= expected, expected, options.drainTimeout());
        long delivered = receiver.delivered();
        long first = receiver.firstArrivalNanos();
        long last = receiver.lastArrivalNanos();
        String cpuLine = cpu.stop();
        List<ThreadCpuProfile.Group> groups = threads.stop();
        stopDeliveryStage();
        double rate = ReportTable.perSecond(delivered - 1, last - first);
        BenchEnvironment.progress("Hookline: %d of %d delivered, %.0f/s from the first delivery to the last (first "
                + "delivery %.2f s after the stage started; %.0f/s counting from the start)", delivered, expected, rate,
                (first - start) / 1e9, ReportTable.perSecond(delivered, last - start));
        System.out.print(ThreadCpuProfile.render(groups, last - start, 20));
        double tierSeconds = groups.stream().filter(g -> g.name().equals("retry-tiers"))
                .mapToLong(ThreadCpuProfile.Group::cpuNanos).sum() / 1e9;
        return new Phase(delivered, rate, receiver.duplicates(), produced, cpuLine, cpu.jvmCpuSeconds(), tierSeconds);
    }

    /** A dispatcher running only the delivery stage, against the standalone's broker (whose own runs fan-out). */
    private void startDeliveryStage() {
        Map<String, String> settings = new HashMap<>(env.hookline().serviceEnvironment());
        settings.put("HOOKLINE_HTTP_PORT", "0");
        settings.put("HOOKLINE_DISPATCHER_STAGES", "delivery");
        deliveryStage = DispatcherService.start(DispatcherConfig.from(settings));
    }

    private void stopDeliveryStage() {
        deliveryStage.close();
        deliveryStage = null;
    }

    /** Writes the backlog; fails the run if a record was not stored, since the phase would then wait for it. */
    private static void send(KafkaProducer<String, byte[]> producer, String topic, List<Task> tasks) {
        AtomicReference<Exception> failed = new AtomicReference<>();
        for (Task t : tasks) {
            producer.send(new ProducerRecord<>(topic, t.subscriptionId(), t.value()), (metadata, error) -> {
                if (error != null) {
                    failed.compareAndSet(null, error);
                }
            });
        }
        producer.flush();
        if (failed.get() != null) {
            throw new IllegalStateException("the backlog was not written completely to " + topic, failed.get());
        }
    }

    /**
     * The baseline: a consumer group member reading task records and POSTing each to the receiver with at most
     * {@code concurrency} in flight, committing each poll's offsets once all of that poll's responses are in.
     */
    private Phase rawBaseline(KafkaProducer<String, byte[]> producer, String deliveriesTopic, List<Task> tasks)
            throws Exception {
        String bootstrap = env.hookline().bootstrapServers();
        String topic = "bench-raw-deliveries-" + Long.toHexString(System.nanoTime());
        int partitions = partitionsOf(bootstrap, deliveriesTopic);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // Each partition's first record alone (see KafkaProducerBaseline for why; the consumer skips them), then the
        // backlog, as for Hookline's phases; the consumer starts once it is written.
        for (int p = 0; p < partitions; p++) {
            producer.send(new ProducerRecord<>(topic, p, WARM_UP_KEY, new byte[0])).get(60, TimeUnit.SECONDS);
        }
        long writing = System.nanoTime();
        send(producer, topic, tasks);
        double produced = (System.nanoTime() - writing) / 1e9;
        Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AtomicLong firstResponse = new AtomicLong();
        AtomicLong lastResponse = new AtomicLong();
        AtomicLong responses = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/direct"))
                .header("content-type", "application/json");
        Thread consumerThread = new Thread(() -> {
            Semaphore slots = new Semaphore(options.concurrency());
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(50));
                    if (records.isEmpty()) {
                        continue;
                    }
                    Semaphore batch = new Semaphore(0);
                    int posted = 0;
                    for (ConsumerRecord<String, byte[]> record : records) {
                        if (WARM_UP_KEY.equals(record.key())) {
                            continue;
                        }
                        posted++;
                        slots.acquire();
                        env.client().sendAsync(post.copy().POST(HttpRequest.BodyPublishers.ofByteArray(record.value()))
                                        .build(), HttpResponse.BodyHandlers.discarding())
                                .whenComplete((r, e) -> {
                                    if (e != null || r.statusCode() / 100 != 2) {
                                        failures.incrementAndGet();
                                        firstFailure.compareAndSet(null, e != null ? e.toString()
                                                : "status " + r.statusCode());
                                    }
                                    long now = System.nanoTime();
                                    firstResponse.compareAndSet(0, now);
                                    lastResponse.accumulateAndGet(now, Math::max);
                                    responses.incrementAndGet();
                                    slots.release();
                                    batch.release();
                                });
                    }
                    batch.acquire(posted);
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (TopicPartition tp : records.partitions()) {
                        List<ConsumerRecord<String, byte[]>> list = records.records(tp);
                        offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
                    }
                    consumer.commitSync(offsets);
                }
            } catch (Throwable t) {
                crashed.set(t);
            }
        }, "bench-raw-consumer");
        MachineCpu cpu = env.machineCpu();
        cpu.start();
        consumerThread.start();
        BenchEnvironment.await(() -> (int) responses.get(), n -> n >= tasks.size() || crashed.get() != null,
                tasks.size(), options.drainTimeout());
        running.set(false);
        consumerThread.join(30_000);
        if (crashed.get() != null) {
            throw new IllegalStateException("baseline consumer failed", crashed.get());
        }
        long ok = responses.get() - failures.get();
        double rate = ReportTable.perSecond(ok - 1, lastResponse.get() - firstResponse.get());
        BenchEnvironment.progress("baseline: %d POSTed (%d failed), %.0f/s", responses.get(), failures.get(), rate);
        String cpuLine = cpu.stop() + (failures.get() > 0
                ? "; " + failures.get() + " POSTs failed (not retried), first: " + firstFailure.get() : "");
        return new Phase(ok, rate, 0, produced, cpuLine, cpu.jvmCpuSeconds(), 0);
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.hookline().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-backlog-writer"),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static int partitionsOf(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(new String(json, StandardCharsets.UTF_8), e);
        }
    }
}
