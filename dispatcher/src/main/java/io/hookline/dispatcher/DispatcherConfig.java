package io.hookline.dispatcher;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.config.LogSettings;
import io.hookline.common.net.NettyTransport;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.net.DestinationPolicy;
import io.hookline.common.security.SecretCipher;
import io.hookline.dispatcher.retry.RetrySchedule;
import io.hookline.dispatcher.retry.RetryTiers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The dispatcher's settings, read from {@code HOOKLINE_*} environment variables ({@link #DEFINITION} declares them).
 *
 * @param stages which stages this instance runs; both by default, one of them to scale the stages apart
 */
public record DispatcherConfig(
        KafkaSettings kafka,
        String httpHost,
        int httpPort,
        SecretCipher secretCipher,
        DestinationPolicy destinationPolicy,
        Set<Stage> stages,
        int deliveryPartitions,
        Path stateDir,
        Duration startupTimeout,
        FanOut fanOut,
        Delivery delivery,
        Retry retry) {

    public enum Stage { FANOUT, DELIVERY }

    /**
     * @param metadataMaxAge how often the pattern subscription looks for new events topics
     * @param dedupeWindow   how long an idempotent event id is remembered
     */
    public record FanOut(int threads, Duration commitInterval, Duration metadataMaxAge, Duration dedupeWindow) {
    }

    /**
     * @param defaultMaxInFlight     concurrent requests per subscription when it sets no {@code maxInFlight}
     * @param maxPendingPerPartition tasks read but not final per partition before that partition is paused
     * @param shutdownTimeout        how long shutdown and partition revocation wait for in-flight requests
     * @param ioThreads              Netty event loop threads of the HTTP client (0 = two per core)
     */
    public record Delivery(int defaultMaxInFlight, int maxPendingPerPartition, Duration connectTimeout,
                           Duration commitInterval, Duration shutdownTimeout, int ioThreads) {
    }

    /**
     * @param tiers           the delay tiers, one {@code hookline.retry.<delay>} topic each
     * @param defaultSchedule the delays between attempts of subscriptions that set no {@code retrySchedule}
     * @param breakerFailures consecutive failures that open a subscription's circuit breaker (0 = no breaker)
     * @param breakerOpenFor  how long an open breaker holds requests back before one probe may go
     * @param recoveredAfter  failed attempts in a row after which a success is reported as delivery.recovered
     *                        (0 = never)
     */
    public record Retry(RetryTiers tiers, RetrySchedule defaultSchedule, int breakerFailures,
                        Duration breakerOpenFor, int recoveredAfter) {
    }

    public static final ConfigDef DEFINITION = new ConfigDef();
    private static final KafkaSettings.Keys KAFKA = KafkaSettings.define(DEFINITION);
    static {
        LogSettings.define(DEFINITION); // read by logback; declared for validation and --help
        NettyTransport.define(DEFINITION); // process-wide, read where the event loops start
    }
    private static final ConfigDef.Key<String> HTTP_HOST = DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(), "0.0.0.0",
            "Address the operational HTTP server (/healthz, /readyz, /metrics) binds to.");
    private static final ConfigDef.Key<Integer> HTTP_PORT = DEFINITION.define("HTTP_PORT", ConfigDef.port(), "8082",
            "Port of the operational HTTP server; 0 picks a free port.");
    private static final ConfigDef.Key<SecretCipher> SECRET_KEY = DEFINITION.defineRequired("SECRET_KEY",
            SecretCipher::fromBase64Key, "base64 of the 32-byte key the registrar encrypts signing secrets with");
    private static final ConfigDef.Key<DestinationPolicy> ALLOWED_NETWORKS = DEFINITION.define("ALLOWED_NETWORKS",
            s -> DestinationPolicy.of(ConfigDef.list().apply(s)), "",
            "Comma-separated CIDRs webhooks may reach although private or loopback, e.g. 127.0.0.0/8,::1/128.");
    private static final ConfigDef.Key<Set<Stage>> STAGES = DEFINITION.define("DISPATCHER_STAGES", DispatcherConfig::stages,
            "fanout,delivery", "Stages this instance runs: fanout, delivery or both.");
    private static final ConfigDef.Key<Integer> DELIVERY_PARTITIONS = DEFINITION.define("DELIVERY_PARTITIONS",
            ConfigDef.intBetween(1, 10_000), Integer.toString(TopicProvisioner.DEFAULT_DELIVERY_PARTITIONS),
            "Partitions of hookline.deliveries when this instance creates it (= maximum delivery parallelism).");
    private static final ConfigDef.Key<String> STATE_DIR = DEFINITION.define("STATE_DIR", ConfigDef.nonEmpty(),
            Path.of(System.getProperty("java.io.tmpdir"), "hookline-dispatcher").toString(),
            "Directory of the fan-out stage's local state (idempotency store); one per instance.");
    private static final ConfigDef.Key<Duration> STARTUP_TIMEOUT = DEFINITION.define("STARTUP_TIMEOUT", positive(),
            "60s", "How long start-up waits for Kafka and for the subscription index to load.");
    private static final ConfigDef.Key<Integer> FANOUT_THREADS = DEFINITION.define("FANOUT_THREADS",
            ConfigDef.intBetween(1, 64), "1", "Kafka Streams threads of the fan-out stage.");
    private static final ConfigDef.Key<Duration> FANOUT_COMMIT_INTERVAL = DEFINITION.define("FANOUT_COMMIT_INTERVAL",
            positive(), "100ms", "Transaction commit interval of the fan-out stage (exactly-once).");
    private static final ConfigDef.Key<Duration> FANOUT_METADATA_MAX_AGE = DEFINITION.define("FANOUT_METADATA_MAX_AGE",
            positive(), "5s", "How often the fan-out stage looks for newly created events topics.");
    private static final ConfigDef.Key<Duration> FANOUT_DEDUPE_WINDOW = DEFINITION.define("FANOUT_DEDUPE_WINDOW",
            positive(), "24h", "How long an event id with an idempotency key is remembered to drop duplicates.");
    private static final ConfigDef.Key<Integer> DELIVERY_MAX_IN_FLIGHT = DEFINITION.define("DELIVERY_MAX_IN_FLIGHT",
            ConfigDef.intBetween(1, 10_000), "10",
            "Concurrent requests per subscription when the subscription does not set maxInFlight.");
    private static final ConfigDef.Key<Integer> DELIVERY_MAX_PENDING = DEFINITION.define("DELIVERY_MAX_PENDING",
            ConfigDef.intBetween(1, 1_000_000), "5000",
            "Tasks read but not final per deliveries partition before reading from it pauses.");
    private static final ConfigDef.Key<Duration> DELIVERY_CONNECT_TIMEOUT = DEFINITION.define("DELIVERY_CONNECT_TIMEOUT",
            positive(), "5s", "TCP + TLS connect timeout (capped by the subscription's timeout).");
    private static final ConfigDef.Key<Duration> DELIVERY_COMMIT_INTERVAL = DEFINITION.define("DELIVERY_COMMIT_INTERVAL",
            positive(), "1s", "How often the delivery stage commits its offset watermarks.");
    private static final ConfigDef.Key<Duration> DELIVERY_SHUTDOWN_TIMEOUT = DEFINITION.define("DELIVERY_SHUTDOWN_TIMEOUT",
            positive(), "10s", "How long shutdown and partition revocation wait for in-flight deliveries.");
    private static final ConfigDef.Key<Integer> DELIVERY_IO_THREADS = DEFINITION.define("DELIVERY_IO_THREADS",
            ConfigDef.intBetween(0, 256), "0", "Event loop threads of the webhook HTTP client; 0 = two per core.");

    private static final ConfigDef.Key<RetryTiers> RETRY_TIERS = DEFINITION.define("RETRY_TIERS",
            s -> RetryTiers.parse(ConfigDef.list().apply(s)), "5s,30s,2m,10m,30m,1h,3h,6h,12h",
            "Delay tiers of the retry path, one topic hookline.retry.<delay> each (created at start-up); a delay "
                    + "between tiers hops through the largest tier below it.");
    private static final ConfigDef.Key<RetrySchedule> RETRY_SCHEDULE = DEFINITION.define("RETRY_SCHEDULE",
            s -> RetrySchedule.parse(ConfigDef.list().apply(s)), "5s,30s,2m,10m,30m,1h,3h,6h,12h",
            "Delays between attempts for subscriptions without their own retrySchedule (DESIGN.md 4.5).");

    private static final ConfigDef.Key<Integer> BREAKER_FAILURES = DEFINITION.define("BREAKER_FAILURES",
            ConfigDef.intBetween(0, 1_000_000), "5",
            "Consecutive failed attempts that open a subscription's circuit breaker; 0 turns the breaker off.");
    private static final ConfigDef.Key<Duration> BREAKER_OPEN_FOR = DEFINITION.define("BREAKER_OPEN_FOR", positive(), "30s",
            "How long an open circuit breaker defers a subscription's tasks before one probe request may go.");
    private static final ConfigDef.Key<Integer> RECOVERED_AFTER = DEFINITION.define("RECOVERED_AFTER",
            ConfigDef.intBetween(0, 1_000_000), "5",
            "Failed attempts in a row after which a subscription's next success is reported as delivery.recovered on "
                    + "topic hookline.ops; 0 reports no recoveries.");

    public static DispatcherConfig from(Map<String, String> env) {
        Config c = DEFINITION.parse(env);
        return new DispatcherConfig(
                KafkaSettings.from(c, KAFKA),
                c.get(HTTP_HOST),
                c.get(HTTP_PORT),
                c.get(SECRET_KEY),
                c.get(ALLOWED_NETWORKS),
                c.get(STAGES),
                c.get(DELIVERY_PARTITIONS),
                Path.of(c.get(STATE_DIR)),
                c.get(STARTUP_TIMEOUT),
                new FanOut(c.get(FANOUT_THREADS), c.get(FANOUT_COMMIT_INTERVAL), c.get(FANOUT_METADATA_MAX_AGE),
                        c.get(FANOUT_DEDUPE_WINDOW)),
                new Delivery(c.get(DELIVERY_MAX_IN_FLIGHT), c.get(DELIVERY_MAX_PENDING),
                        c.get(DELIVERY_CONNECT_TIMEOUT), c.get(DELIVERY_COMMIT_INTERVAL),
                        c.get(DELIVERY_SHUTDOWN_TIMEOUT), c.get(DELIVERY_IO_THREADS)),
                new Retry(c.get(RETRY_TIERS), c.get(RETRY_SCHEDULE), c.get(BREAKER_FAILURES),
                        c.get(BREAKER_OPEN_FOR), c.get(RECOVERED_AFTER)));
    }


    /**
     * The Kafka client id of one of this instance's clients: {@code hookline-<role>}, or
     * {@code <HOOKLINE_KAFKA_CLIENT_ID>-<role>} so an operator can tell instances apart (quotas, broker logs).
     */
    public String clientId(String role) {
        String base = kafka.clientProperties().get("client.id");
        return (base == null || base.isBlank() ? "hookline" : base) + "-" + role;
    }

    public boolean runs(Stage stage) {
        return stages.contains(stage);
    }

    /** The same settings with other stages; for tests and standalone set-ups that split the stages. */
    public DispatcherConfig withStages(Set<Stage> newStages) {
        return new DispatcherConfig(kafka, httpHost, httpPort, secretCipher, destinationPolicy, Set.copyOf(newStages),
                deliveryPartitions, stateDir, startupTimeout, fanOut, delivery, retry);
    }

    /** The same settings with another destination policy; for tests that need {@link DestinationPolicy#allowAll()}. */
    public DispatcherConfig withDestinationPolicy(DestinationPolicy policy) {
        return new DispatcherConfig(kafka, httpHost, httpPort, secretCipher, policy, stages, deliveryPartitions,
                stateDir, startupTimeout, fanOut, delivery, retry);
    }

    private static Set<Stage> stages(String text) {
        Set<Stage> out = EnumSet.noneOf(Stage.class);
        for (String part : ConfigDef.list().apply(text)) {
            try {
                out.add(Stage.valueOf(part.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be fanout, delivery or fanout,delivery");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must name at least one stage (fanout, delivery)");
        }
        return Set.copyOf(out);
    }

    private static java.util.function.Function<String, Duration> positive() {
        return s -> {
            Duration d = ConfigDef.parseDuration(s);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be a positive duration such as 250ms, 5s or 1m");
            }
            return d;
        };
    }
}
