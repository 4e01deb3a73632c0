package io.hookline.replayer;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.KafkaSettings;
import java.util.Map;

/** Settings of the dlq-replayer, from {@code HOOKLINE_*} environment variables. */
public record ReplayerConfig(String httpHost, int httpPort, KafkaSettings kafka, String dbUrl, String dbUser,
                             String dbPassword, String adminKey) {

    public static final ConfigDef DEFINITION = new ConfigDef();
    private static final ConfigDef.Key<String> HTTP_HOST =
            DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(), "0.0.0.0", "Address the HTTP API binds to.");
    private static final ConfigDef.Key<Integer> HTTP_PORT =
            DEFINITION.define("HTTP_PORT", ConfigDef.port(), "8083", "Port of the dead-letter API.");
    private static final KafkaSettings.Keys KAFKA = KafkaSettings.define(DEFINITION);
    private static final ConfigDef.Key<String> DB_URL = DEFINITION.define("DB_URL",
            ConfigDef.matching("jdbc:postgresql://.+", "a jdbc:postgresql:// URL"),
            "jdbc:postgresql://127.0.0.1:5432/hookline", "PostgreSQL holding the dead-letter index.");
    private static final ConfigDef.Key<String> DB_USER =
            DEFINITION.define("DB_USER", ConfigDef.nonEmpty(), "hookline", "PostgreSQL user.");
    private static final ConfigDef.Key<String> DB_PASSWORD =
            DEFINITION.define("DB_PASSWORD", ConfigDef.string(), "hookline", "PostgreSQL password.");
    private static final ConfigDef.Key<String> ADMIN_KEY =
            DEFINITION.defineRequired("ADMIN_KEY", ConfigDef.nonEmpty(), "The operator's admin API key.");

    public static ReplayerConfig from(Map<String, String> env) {
        Config c = DEFINITION.parse(env);
        return new ReplayerConfig(c.get(HTTP_HOST), c.get(HTTP_PORT), KafkaSettings.from(c, KAFKA), c.get(DB_URL),
                c.get(DB_USER), c.get(DB_PASSWORD) == null ? "" : c.get(DB_PASSWORD), c.get(ADMIN_KEY));
    }
}
