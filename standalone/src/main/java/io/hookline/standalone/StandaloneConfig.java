package io.hookline.standalone;

import io.hookline.common.config.Config;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.LogSettings;
import io.hookline.common.net.NettyTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Settings of the all-in-one process. Everything has a default so {@code java -jar hookline-standalone.jar}
 * just works; the admin key and the secret-encryption key are generated on first start and kept in the data
 * directory, so a restart keeps accepting the same key and decrypting the same secrets.
 */
public record StandaloneConfig(Path dataDir, String httpHost, int gatewayPort, int registrarPort, int dispatcherPort,
                               int replayerPort, int brokerPort, int controllerPort, int dbPort, String adminKey,
                               String secretKey, List<String> allowedNetworks, Map<String, String> env) {

    public static final ConfigDef DEFINITION = new ConfigDef();
    static {
        LogSettings.define(DEFINITION); // read by logback; declared for validation and --help
        NettyTransport.define(DEFINITION); // process-wide, read where the event loops start
    }
    private static final ConfigDef.Key<String> DATA_DIR = DEFINITION.define("DATA_DIR", ConfigDef.nonEmpty(), "./data",
            "Directory holding the broker's log, PostgreSQL's cluster and the generated keys.");
    private static final ConfigDef.Key<String> HTTP_HOST = DEFINITION.define("HTTP_HOST", ConfigDef.nonEmpty(),
            "127.0.0.1", "Address the four HTTP APIs bind to (loopback by default: standalone is for one machine).");
    private static final ConfigDef.Key<Integer> GATEWAY_PORT =
            DEFINITION.define("GATEWAY_PORT", ConfigDef.port(), "8080", "Port of the ingest gateway.");
    private static final ConfigDef.Key<Integer> REGISTRAR_PORT =
            DEFINITION.define("REGISTRAR_PORT", ConfigDef.port(), "8081", "Port of the registrar.");
    private static final ConfigDef.Key<Integer> DISPATCHER_PORT =
            DEFINITION.define("DISPATCHER_PORT", ConfigDef.port(), "8082", "Port of the dispatcher's operational API.");
    private static final ConfigDef.Key<Integer> REPLAYER_PORT =
            DEFINITION.define("REPLAYER_PORT", ConfigDef.port(), "8083", "Port of the dlq-replayer.");
    private static final ConfigDef.Key<Integer> BROKER_PORT =
            DEFINITION.define("BROKER_PORT", ConfigDef.port(), "9092", "Port of the embedded Kafka broker.");
    private static final ConfigDef.Key<Integer> CONTROLLER_PORT =
            DEFINITION.define("BROKER_CONTROLLER_PORT", ConfigDef.port(), "9093", "Port of the embedded KRaft controller.");
    private static final ConfigDef.Key<Integer> DB_PORT =
            DEFINITION.define("DB_PORT", ConfigDef.port(), "5433", "Port of the embedded PostgreSQL.");
    private static final ConfigDef.Key<String> ADMIN_KEY = DEFINITION.define("ADMIN_KEY", ConfigDef.nonEmpty(), null,
            "Admin API key; generated into <data dir>/admin-key on first start when unset.");
    private static final ConfigDef.Key<String> SECRET_KEY = DEFINITION.define("SECRET_KEY", ConfigDef.nonEmpty(), null,
            "Base64 of 32 bytes encrypting subscription secrets; generated into <data dir>/secret-key when unset.");
    private static final ConfigDef.Key<List<String>> ALLOWED_NETWORKS = DEFINITION.define("ALLOWED_NETWORKS",
            ConfigDef.list(), "127.0.0.0/8,::1/128",
            "Networks webhooks may target despite the SSRF guard; standalone allows loopback so local receivers work.");

    public static StandaloneConfig from(Map<String, String> env) {
        Config c = DEFINITION.parse(env);
        return new StandaloneConfig(Path.of(c.get(DATA_DIR)).toAbsolutePath().normalize(), c.get(HTTP_HOST),
                c.get(GATEWAY_PORT), c.get(REGISTRAR_PORT), c.get(DISPATCHER_PORT), c.get(REPLAYER_PORT),
                c.get(BROKER_PORT), c.get(CONTROLLER_PORT), c.get(DB_PORT), c.get(ADMIN_KEY), c.get(SECRET_KEY),
                c.get(ALLOWED_NETWORKS), Map.copyOf(env));
    }
}
