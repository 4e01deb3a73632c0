package io.hookline.replayer;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.config.LogSettings;
import io.hookline.common.net.NettyTransport;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Settings of the dlq-replayer, from {@code HOOKLINE_*} environment variables (DESIGN.md section 7).
 *
 * @param dbSchema          schema holding the replayer's tables and Flyway history ({@code HOOKLINE_DB_SCHEMA},
 *                          default {@code replayer}), so it can share the registrar's database
 * @param dbPoolSize        maximum database connections ({@code HOOKLINE_DB_POOL_SIZE})
 * @param dbConnectTimeout  how long start-up waits for PostgreSQL ({@code HOOKLINE_DB_CONNECT_TIMEOUT})
 * @param kafkaTimeout      bound on start-up checks and on waiting for a replayed task's acknowledgement
 * @param defaultReplayRate replays per second of a job that names no rate ({@code HOOKLINE_REPLAY_RATE})
 * @param maxReplayRate     the highest rate a job may ask for ({@code HOOKLINE_REPLAY_MAX_RATE})
 */
public record ReplayerConfig(String httpHost, int httpPort, KafkaSettings kafka, String dbUrl, String dbUser,
                             String dbPassword, String adminKey, String dbSchema, int dbPoolSize,
                             Duration dbConnectTimeout, Duration kafkaTimeout, double defaultReplayRate,
                             double maxReplayRate) {

    public static final ConfigDef DEFINITION = new ConfigDef();
    private static final ConfigDef.Key<String> HTTP_HOST =
            DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(), "0.0.0.0", "Address the HTTP API binds to.");
    private static final ConfigDef.Key<Integer> HTTP_PORT =
            DEFINITION.define("HTTP_PORT", ConfigDef.port(), "8083", "Port of the dead-letter API.");
    private static final KafkaSettings.Keys KAFKA = KafkaSettings.define(DEFINITION);
    static {
        LogSettings.define(DEFINITION); // read by logback; declared for validation and --help
        NettyTransport.define(DEFINITION); // process-wide, read where the event loops start
    }
    private static final ConfigDef.Key<String> DB_URL = DEFINITION.define("DB_URL",
            ConfigDef.matching("jdbc:postgresql://.+", "a jdbc:postgresql:// URL"),
            "jdbc:postgresql://127.0.0.1:5432/hookline", "PostgreSQL holding the dead-letter index.");
    private static final ConfigDef.Key<String> DB_USER =
            DEFINITION.define("DB_USER", ConfigDef.nonEmpty(), "hookline", "PostgreSQL user.");
    private static final ConfigDef.Key<String> DB_PASSWORD =
            DEFINITION.define("DB_PASSWORD", ConfigDef.string(), "hookline", "PostgreSQL password.");
    private static final ConfigDef.Key<String> DB_SCHEMA = DEFINITION.define("DB_SCHEMA",
            ConfigDef.matching("[a-z_][a-z0-9_]{0,62}", "a lower-case SQL identifier"), "replayer",
            "Schema holding the replayer's tables (created by its migrations); lets it share the registrar's database.");
    private static final ConfigDef.Key<Integer> DB_POOL_SIZE = DEFINITION.define("DB_POOL_SIZE",
            ConfigDef.intBetween(2, 200), "8", "Maximum database connections of this instance.");
    private static final ConfigDef.Key<Duration> DB_CONNECT_TIMEOUT = DEFINITION.define("DB_CONNECT_TIMEOUT",
            positiveDuration(), "15s", "How long start-up waits for PostgreSQL before giving up.");
    private static final ConfigDef.Key<Duration> KAFKA_TIMEOUT = DEFINITION.define("KAFKA_TIMEOUT",
            positiveDuration(), "15s", "Bound on start-up checks and on waiting for Kafka to acknowledge a replay.");
    private static final ConfigDef.Key<Double> REPLAY_RATE = DEFINITION.define("REPLAY_RATE", rate(), "50",
            "Replays per second of a replay job that does not name ratePerSecond.");
    private static final ConfigDef.Key<Double> REPLAY_MAX_RATE = DEFINITION.define("REPLAY_MAX_RATE", rate(), "1000",
            "The highest ratePerSecond a replay job may ask for.");
    private static final ConfigDef.Key<String> ADMIN_KEY =
            DEFINITION.defineRequired("ADMIN_KEY", ConfigDef.nonEmpty(), "The operator's admin API key.");

    public static ReplayerConfig from(Map<String, String> env) {
        Config c = DEFINITION.parse(env);
        double max = c.get(REPLAY_MAX_RATE);
        double rate = c.get(REPLAY_RATE);
        if (rate > max) {
            throw new io.hookline.common.config.ConfigException(REPLAY_RATE.variable(),
                    "must not exceed HOOKLINE_REPLAY_MAX_RATE (" + max + ")");
        }
        return new ReplayerConfig(c.get(HTTP_HOST), c.get(HTTP_PORT), KafkaSettings.from(c, KAFKA), c.get(DB_URL),
                c.get(DB_USER), c.get(DB_PASSWORD) == null ? "" : c.get(DB_PASSWORD), c.get(ADMIN_KEY),
                c.get(DB_SCHEMA), c.get(DB_POOL_SIZE), c.get(DB_CONNECT_TIMEOUT), c.get(KAFKA_TIMEOUT), rate, max);
    }

    @Override
    public String toString() {
        return "ReplayerConfig[http=" + httpHost + ":" + httpPort + ", kafka=" + kafka.bootstrapServers()
                + ", prefix=" + kafka.topicPrefix() + ", db=" + dbUrl + ", schema=" + dbSchema + "]"; // never the keys
    }

    private static Function<String, Duration> positiveDuration() {
        Function<String, Duration> parse = ConfigDef.duration();
        return s -> {
            Duration d = parse.apply(s);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be a positive duration such as 500ms or 10s");
            }
            return d;
        };
    }

    private static Function<String, Double> rate() {
        return s -> {
            double d;
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a positive number of replays per second");
            }
            if (!(d > 0) || Double.isInfinite(d) || d > 100_000) {
                throw new IllegalArgumentException("must be a positive number of replays per second (at most 100000)");
            }
            return d;
        };
    }
}
