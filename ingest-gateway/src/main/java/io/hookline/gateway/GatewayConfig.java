package io.hookline.gateway;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.ConfigException;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.config.LogSettings;
import io.hookline.common.net.NettyTransport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of the ingest gateway, from {@code HOOKLINE_*} environment variables ({@link #DEFINITION} documents
 * each one; {@code DEFINITION.describe()} prints the reference).
 *
 * @param maxInFlightEvents  events accepted but not yet acknowledged by Kafka; past it a publish answers 503 at once
 * @param maxInFlightBytes   serialized bytes of those events; the producer's buffer is sized above it, so
 *                           {@code send()} never blocks on a full buffer
 * @param tenantPublishRate  events per second per tenant on this instance; 0 = unlimited
 * @param tenantQuotas       per-tenant overrides of the rate (events per second)
 */
public record GatewayConfig(
        String httpHost,
        int httpPort,
        KafkaSettings kafka,
        String adminKey,
        int maxPayloadBytes,
        int maxBatchBytes,
        int maxBatchEvents,
        Duration publishTimeout,
        int maxInFlightEvents,
        long maxInFlightBytes,
        int tenantPublishRate,
        Map<String, Integer> tenantQuotas,
        Duration requestTimeout,
        Duration idleTimeout,
        Duration shutdownTimeout,
        Duration startupTimeout) {

    public static final ConfigDef DEFINITION = new ConfigDef();
    private static final ConfigDef.Key<String> HTTP_HOST =
            DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(), "0.0.0.0", "Address the publish API binds to.");
    private static final ConfigDef.Key<Integer> HTTP_PORT =
            DEFINITION.define("HTTP_PORT", ConfigDef.port(), "8080", "Port of the publish API (0 = any free port).");
    private static final KafkaSettings.Keys KAFKA = KafkaSettings.define(DEFINITION);
    static {
        LogSettings.define(DEFINITION); // read by logback; declared for validation and --help
        NettyTransport.define(DEFINITION); // process-wide, read where the event loops start
    }
    private static final ConfigDef.Key<String> ADMIN_KEY =
            DEFINITION.defineRequired("ADMIN_KEY", ConfigDef.nonEmpty(), "The operator's admin API key.");
    private static final ConfigDef.Key<Integer> MAX_PAYLOAD_BYTES = DEFINITION.define("MAX_PAYLOAD_BYTES",
            ConfigDef.intBetween(64, 8 * 1024 * 1024), "262144",
            "Largest event payload (the body of a single publish), in bytes; larger answers 413.");
    private static final ConfigDef.Key<Integer> MAX_BATCH_BYTES = DEFINITION.define("MAX_BATCH_BYTES",
            ConfigDef.intBetween(64, 64 * 1024 * 1024), "1048576",
            "Largest body of a batch publish, in bytes; larger answers 413.");
    private static final ConfigDef.Key<Integer> MAX_BATCH_EVENTS = DEFINITION.define("MAX_BATCH_EVENTS",
            ConfigDef.intBetween(1, 10_000), "500", "Most events in one batch publish.");
    private static final ConfigDef.Key<Duration> PUBLISH_TIMEOUT = DEFINITION.define("PUBLISH_TIMEOUT",
            ConfigDef.duration(), "10s",
            "How long a publish waits for Kafka's acknowledgement before answering 503 (at least 1s).");
    private static final ConfigDef.Key<Integer> MAX_IN_FLIGHT_EVENTS = DEFINITION.define("MAX_IN_FLIGHT_EVENTS",
            ConfigDef.intBetween(1, 1_000_000), "10000",
            "Events waiting for Kafka's acknowledgement at once; beyond it publishes answer 503 immediately.");
    private static final ConfigDef.Key<Integer> MAX_IN_FLIGHT_MIB = DEFINITION.define("MAX_IN_FLIGHT_MIB",
            ConfigDef.intBetween(1, 4096), "32",
            "MiB of events waiting for Kafka's acknowledgement at once; beyond it publishes answer 503 immediately.");
    private static final ConfigDef.Key<Integer> TENANT_PUBLISH_RATE = DEFINITION.define("TENANT_PUBLISH_RATE",
            ConfigDef.intBetween(0, 10_000_000), "0",
            "Events per second a tenant may publish through this gateway instance (burst: one second's worth); "
                    + "0 = unlimited. Over it: 429 with Retry-After.");
    private static final ConfigDef.Key<Map<String, Integer>> TENANT_QUOTAS = DEFINITION.define("TENANT_QUOTAS",
            tenantRates(), "", "Per-tenant publish rates overriding TENANT_PUBLISH_RATE, e.g. 'acme=500,globex=0'.");
    private static final ConfigDef.Key<Duration> HTTP_REQUEST_TIMEOUT = DEFINITION.define("HTTP_REQUEST_TIMEOUT",
            ConfigDef.duration(), "30s", "A request's head and body must arrive within this time (slow clients).");
    private static final ConfigDef.Key<Duration> HTTP_IDLE_TIMEOUT = DEFINITION.define("HTTP_IDLE_TIMEOUT",
            ConfigDef.duration(), "60s", "Idle keep-alive connections are closed after this time.");
    private static final ConfigDef.Key<Duration> SHUTDOWN_TIMEOUT = DEFINITION.define("SHUTDOWN_TIMEOUT",
            ConfigDef.duration(), "20s", "On shutdown, how long in-flight publishes may take to be acknowledged.");
    private static final ConfigDef.Key<Duration> STARTUP_TIMEOUT = DEFINITION.define("STARTUP_TIMEOUT",
            ConfigDef.duration(), "15s", "How long start-up waits for Kafka before giving up with one line.");

    public GatewayConfig {
        tenantQuotas = Map.copyOf(tenantQuotas);
    }

    public static GatewayConfig from(Map<String, String> env) {
        Config c = DEFINITION.parse(env);
        Duration publishTimeout = c.get(PUBLISH_TIMEOUT);
        if (publishTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(PUBLISH_TIMEOUT.variable(), "must be at least 1s, got '" + publishTimeout + "'");
        }
        return new GatewayConfig(c.get(HTTP_HOST), c.get(HTTP_PORT), KafkaSettings.from(c, KAFKA), c.get(ADMIN_KEY),
                c.get(MAX_PAYLOAD_BYTES), c.get(MAX_BATCH_BYTES), c.get(MAX_BATCH_EVENTS), publishTimeout,
                c.get(MAX_IN_FLIGHT_EVENTS), c.get(MAX_IN_FLIGHT_MIB) * 1024L * 1024L, c.get(TENANT_PUBLISH_RATE),
                c.get(TENANT_QUOTAS) == null ? Map.of() : c.get(TENANT_QUOTAS), positive(c, HTTP_REQUEST_TIMEOUT),
                positive(c, HTTP_IDLE_TIMEOUT), c.get(SHUTDOWN_TIMEOUT), positive(c, STARTUP_TIMEOUT));
    }

    /** The body limit the HTTP server enforces before reading a body: the larger of the two publish limits. */
    public int maxRequestBytes() {
        return Math.max(maxPayloadBytes, maxBatchBytes);
    }

    /** The publish rate of {@code tenant}: its override, else the default; 0 = unlimited. */
    public int publishRateOf(String tenant) {
        return tenantQuotas.getOrDefault(tenant, tenantPublishRate);
    }

    private static Duration positive(Config c, ConfigDef.Key<Duration> key) {
        Duration d = c.get(key);
        if (d.isZero()) {
            throw new ConfigException(key.variable(), "must be greater than zero");
        }
        return d;
    }

    private static final Pattern TENANT_RATE = Pattern.compile("([A-Za-z0-9._-]{1,200})=(\\d{1,8})");

    private static Function<String, Map<String, Integer>> tenantRates() {
        return s -> {
            Map<String, Integer> out = new LinkedHashMap<>();
            for (String part : ConfigDef.list().apply(s)) {
                Matcher m = TENANT_RATE.matcher(part);
                if (!m.matches()) {
                    throw new IllegalArgumentException("must be a comma-separated list of tenant=eventsPerSecond");
                }
                out.put(m.group(1), Integer.parseInt(m.group(2)));
            }
            return out;
        };
    }
}
