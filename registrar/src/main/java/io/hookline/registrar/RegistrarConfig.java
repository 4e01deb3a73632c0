package io.hookline.registrar;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.ConfigException;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.config.LogSettings;
import io.hookline.common.net.NettyTransport;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.net.DestinationPolicy;
import io.hookline.common.security.SecretCipher;
import io.hookline.database.DatabaseSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything the registrar reads from its environment ({@code HOOKLINE_*}, DESIGN.md section 7). Build it with
 * {@link #from(Map)}; a missing or bad value throws {@link ConfigException} naming the variable.
 *
 * @param httpHost             bind address ({@code HOOKLINE_HTTP_HOST})
 * @param httpPort             port, 0 = any free port ({@code HOOKLINE_HTTP_PORT}, default 8081)
 * @param kafka                bootstrap servers, topic prefix and {@code HOOKLINE_KAFKA_*} pass-through
 * @param adminKey             the admin API key ({@code HOOKLINE_ADMIN_KEY}, required)
 * @param secretCipher         encrypts signing secrets at rest and on Kafka ({@code HOOKLINE_SECRET_KEY}, required)
 * @param database             where PostgreSQL is ({@code HOOKLINE_DB_*})
 * @param destinationPolicy    which webhook destinations are acceptable ({@code HOOKLINE_ALLOWED_NETWORKS})
 * @param allowedNetworks      the networks named by {@code HOOKLINE_ALLOWED_NETWORKS}, for start-up logging
 * @param republishOnStart     re-publish every topic, subscription and API key at start-up
 *                             ({@code HOOKLINE_REPUBLISH_ON_START})
 * @param outboxPollInterval   how often the outbox relay looks for rows written by other instances
 * @param kafkaTimeout         bound on start-up checks and topic administration
 * @param deliveryPartitions   partitions of {@code hookline.deliveries} when this service creates it
 * @param attemptsRetention    how long delivery history is kept ({@code HOOKLINE_ATTEMPTS_RETENTION}, whole days)
 * @param disableAfter         a subscription failing continuously (no success) for longer is disabled
 *                             ({@code HOOKLINE_DISABLE_AFTER}, default 3d)
 */
public record RegistrarConfig(
        String httpHost,
        int httpPort,
        KafkaSettings kafka,
        String adminKey,
        SecretCipher secretCipher,
        DatabaseSettings database,
        DestinationPolicy destinationPolicy,
        List<String> allowedNetworks,
        boolean republishOnStart,
        Duration outboxPollInterval,
        Duration kafkaTimeout,
        int deliveryPartitions,
        Duration attemptsRetention,
        Duration disableAfter) {

    public static final int DEFAULT_HTTP_PORT = 8081;

    public static final ConfigDef DEFINITION = new ConfigDef();
    private static final ConfigDef.Key<String> HTTP_HOST = DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(), "0.0.0.0",
            "Address the HTTP API binds to.");
    private static final ConfigDef.Key<Integer> HTTP_PORT = DEFINITION.define("HTTP_PORT", ConfigDef.port(),
            Integer.toString(DEFAULT_HTTP_PORT), "Port of the registrar API (0 = any free port).");
    private static final KafkaSettings.Keys KAFKA = KafkaSettings.define(DEFINITION);
    static {
        LogSettings.define(DEFINITION); // read by logback; declared for validation and --help
        NettyTransport.define(DEFINITION); // process-wide, read where the event loops start
    }
    private static final ConfigDef.Key<String> ADMIN_KEY = DEFINITION.defineRequired("ADMIN_KEY", ConfigDef.nonEmpty(),
            "The admin API key; acts on every tenant.");
    private static final ConfigDef.Key<SecretCipher> SECRET_KEY = DEFINITION.defineRequired("SECRET_KEY",
            SecretCipher::fromBase64Key, "Base64 of 32 random bytes; encrypts subscription secrets (AES-GCM).");
    private static final ConfigDef.Key<String> DB_URL = DEFINITION.define("DB_URL",
            ConfigDef.matching("jdbc:postgresql:.+", "a PostgreSQL JDBC URL such as jdbc:postgresql://host:5432/hookline"),
            "jdbc:postgresql://127.0.0.1:5432/hookline", "PostgreSQL JDBC URL.");
    private static final ConfigDef.Key<String> DB_USER = DEFINITION.define("DB_USER", ConfigDef.nonEmpty(), "hookline",
            "PostgreSQL user.");
    private static final ConfigDef.Key<String> DB_PASSWORD = DEFINITION.define("DB_PASSWORD", ConfigDef.string(), "hookline",
            "PostgreSQL password.");
    private static final ConfigDef.Key<String> DB_SCHEMA = DEFINITION.define("DB_SCHEMA",
            ConfigDef.matching("[a-z_][a-z0-9_]{0,62}", "a lower-case SQL identifier"), "registrar",
            "Schema holding the registrar's tables (created by the migrations).");
    private static final ConfigDef.Key<Integer> DB_POOL_SIZE = DEFINITION.define("DB_POOL_SIZE", ConfigDef.intBetween(2, 200),
            "10", "Maximum database connections of this instance.");
    private static final ConfigDef.Key<Duration> DB_CONNECT_TIMEOUT = DEFINITION.define("DB_CONNECT_TIMEOUT",
            positiveDuration(), "15s", "How long start-up waits for PostgreSQL before giving up.");
    private static final ConfigDef.Key<List<String>> ALLOWED_NETWORKS = DEFINITION.define("ALLOWED_NETWORKS",
            ConfigDef.list(), "", "Comma-separated CIDRs webhook URLs may resolve to although they are private "
                    + "(e.g. 127.0.0.0/8,::1/128).");
    private static final ConfigDef.Key<Boolean> REPUBLISH_ON_START = DEFINITION.define("REPUBLISH_ON_START", ConfigDef.bool(),
            "false", "Re-publish every topic, subscription and API key to Kafka at start-up (through the outbox).");
    private static final ConfigDef.Key<Duration> OUTBOX_POLL_INTERVAL = DEFINITION.define("OUTBOX_POLL_INTERVAL",
            positiveDuration(), "1s", "How often the outbox relay looks for changes committed by other instances.");
    private static final ConfigDef.Key<Duration> KAFKA_TIMEOUT = DEFINITION.define("KAFKA_TIMEOUT", positiveDuration(), "15s",
            "Bound on start-up checks and topic administration calls.");
    private static final ConfigDef.Key<Integer> DELIVERY_PARTITIONS = DEFINITION.define("DELIVERY_PARTITIONS",
            ConfigDef.intBetween(1, 10_000), Integer.toString(TopicProvisioner.DEFAULT_DELIVERY_PARTITIONS),
            "Partitions of the deliveries topic when it is created.");

    private static final ConfigDef.Key<Duration> ATTEMPTS_RETENTION = DEFINITION.define("ATTEMPTS_RETENTION",
            days(), "7d", "How long delivery history (hookline.attempts) is kept in PostgreSQL, in days.");

    private static final ConfigDef.Key<Duration> DISABLE_AFTER = DEFINITION.define("DISABLE_AFTER", positiveDuration(), "3d",
            "A subscription whose deliveries fail continuously (no success) for longer is disabled (reason "
                    + "'failing') and subscription.disabled is published on topic hookline.ops.");

    public static RegistrarConfig from(Map<String, String> env) {
        Config config = DEFINITION.parse(env);
        List<String> networks = config.get(ALLOWED_NETWORKS);
        DestinationPolicy policy;
        try {
            policy = DestinationPolicy.of(networks);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ALLOWED_NETWORKS.variable(), e.getMessage());
        }
        return new RegistrarConfig(
                config.get(HTTP_HOST),
                config.get(HTTP_PORT),
                KafkaSettings.from(config, KAFKA),
                config.get(ADMIN_KEY),
                config.get(SECRET_KEY),
                new DatabaseSettings(config.get(DB_URL), config.get(DB_USER), config.get(DB_PASSWORD),
                        config.get(DB_SCHEMA), config.get(DB_POOL_SIZE), config.get(DB_CONNECT_TIMEOUT)),
                policy,
                networks,
                config.get(REPUBLISH_ON_START),
                config.get(OUTBOX_POLL_INTERVAL),
                config.get(KAFKA_TIMEOUT),
                config.get(DELIVERY_PARTITIONS),
                config.get(ATTEMPTS_RETENTION),
                config.get(DISABLE_AFTER));
    }


    @Override
    public String toString() {
        return "RegistrarConfig[http=" + httpHost + ":" + httpPort + ", kafka=" + kafka.bootstrapServers()
                + ", prefix=" + kafka.topicPrefix() + ", " + database + ", allowedNetworks=" + allowedNetworks
                + ", republishOnStart=" + republishOnStart + "]"; // never the keys
    }

    private static Function<String, Duration> days() {
        return s -> {
            if (!s.matches("\\d{1,4}d")) {
                throw new IllegalArgumentException("must be a number of days such as 7d (1d to 3650d)");
            }
            long days = Long.parseLong(s.substring(0, s.length() - 1));
            if (days < 1 || days > 3650) {
                throw new IllegalArgumentException("must be a number of days such as 7d (1d to 3650d)");
            }
            return Duration.ofDays(days);
        };
    }

    private static Function<String, Duration> positiveDuration() {
        Function<String, Duration> parse = ConfigDef.duration();
        return s -> {
            Duration d = parse.apply(s);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be a positive duration such as 500ms or 10s");
            }
            return d;
        };
    }
}
