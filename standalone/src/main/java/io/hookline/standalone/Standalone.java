package io.hookline.standalone;

import io.hookline.common.config.ConfigException;
import io.hookline.dispatcher.DispatcherConfig;
import io.hookline.dispatcher.DispatcherService;
import io.hookline.embedded.EmbeddedKafkaBroker;
import io.hookline.embedded.EmbeddedPostgresServer;
import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.GatewayService;
import io.hookline.registrar.RegistrarConfig;
import io.hookline.registrar.RegistrarService;
import io.hookline.replayer.ReplayerConfig;
import io.hookline.replayer.ReplayerService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of Hookline in one JVM: an embedded KRaft broker and PostgreSQL with their data under one directory, then
 * the registrar, ingest gateway, dispatcher and dlq-replayer, each configured exactly as its own process would be
 * (the same {@code HOOKLINE_*} settings, derived here). Closing stops them in reverse order.
 */
public final class Standalone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);
    static final String DATABASE = "hookline";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final String adminKey;
    private EmbeddedKafkaBroker broker;
    private RegistrarService registrar;
    private GatewayService gateway;
    private DispatcherService dispatcher;
    private ReplayerService replayer;
    private Map<String, String> serviceEnvironment = Map.of();

    private Standalone(String adminKey) {
        this.adminKey = adminKey;
    }

    public static Standalone start(StandaloneConfig config) {
        requireFreePorts(config);
        String adminKey = GeneratedKeys.adminKey(config.dataDir(), config.adminKey());
        String secretKey = GeneratedKeys.secretKey(config.dataDir(), config.secretKey());
        Standalone standalone = new Standalone(adminKey);
        try {
            standalone.startAll(config, adminKey, secretKey);
            return standalone;
        } catch (RuntimeException e) {
            standalone.close();
            throw e;
        }
    }

    /** Fails fast, naming the setting, instead of half-starting and failing deep inside a component. */
    private static void requireFreePorts(StandaloneConfig config) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("HOOKLINE_BROKER_PORT", config.brokerPort());
        ports.put("HOOKLINE_BROKER_CONTROLLER_PORT", config.controllerPort());
        // After a kill -9 the orphaned PostgreSQL of this data directory still holds its port; the embedded
        // server stops it on start, so the port only counts as taken when no server of ours may own it.
        if (!Files.exists(config.dataDir().resolve("postgres").resolve("postmaster.pid"))) {
            ports.put("HOOKLINE_DB_PORT", config.dbPort());
        }
        ports.put("HOOKLINE_REGISTRAR_PORT", config.registrarPort());
        ports.put("HOOKLINE_GATEWAY_PORT", config.gatewayPort());
        ports.put("HOOKLINE_DISPATCHER_PORT", config.dispatcherPort());
        ports.put("HOOKLINE_REPLAYER_PORT", config.replayerPort());
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            if (port.getValue() == 0) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(
                        port.getKey().startsWith("HOOKLINE_BROKER") || port.getKey().equals("HOOKLINE_DB_PORT")
                                ? "127.0.0.1" : config.httpHost(), port.getValue()));
            } catch (IOException e) {
                throw new ConfigException(port.getKey(),
                        "port " + port.getValue() + " is already in use");
            }
        }
    }

    private void startAll(StandaloneConfig config, String adminKey, String secretKey) {
        broker = push(EmbeddedKafkaBroker.builder()
                .dataDirectory(config.dataDir().resolve("kafka"))
                .brokerPort(config.brokerPort())
                .controllerPort(config.controllerPort())
                .build()
                .start());
        EmbeddedPostgresServer postgres = push(EmbeddedPostgresServer.builder()
                .dataDirectory(config.dataDir().resolve("postgres"))
                .port(config.dbPort())
                // Stopped by close(), after the services: a JVM hook of its own would run at the same time as
                // the launcher's and take the database away from services still draining on SIGTERM.
                .stopOnJvmExit(false)
                .build()
                .start());
        postgres.createDatabaseIfAbsent(DATABASE);

        Map<String, String> shared = new HashMap<>(config.env());
        shared.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        shared.put("HOOKLINE_DB_URL", postgres.jdbcUrl(DATABASE));
        shared.put("HOOKLINE_DB_USER", postgres.user());
        shared.put("HOOKLINE_DB_PASSWORD", postgres.password());
        shared.put("HOOKLINE_ADMIN_KEY", adminKey);
        shared.put("HOOKLINE_SECRET_KEY", secretKey);
        shared.put("HOOKLINE_ALLOWED_NETWORKS", String.join(",", config.allowedNetworks()));
        shared.put("HOOKLINE_HTTP_HOST", config.httpHost());
        shared.put("HOOKLINE_STATE_DIR", config.dataDir().resolve("dispatcher-state").toString());
        // A killed standalone never left its consumer groups: with Kafka's default session timeout (45 s) the
        // restarted one would say ready and then deliver nothing for most of a minute. One process owns every group
        // here, and 10 s (Kafka's default until 3.0) is ample for its heartbeats.
        shared.putIfAbsent("HOOKLINE_KAFKA_SESSION_TIMEOUT_MS", "10000");
        serviceEnvironment = Map.copyOf(shared);

        registrar = push(RegistrarService.start(RegistrarConfig.from(withPort(shared, config.registrarPort()))));
        gateway = push(GatewayService.start(GatewayConfig.from(withPort(shared, config.gatewayPort()))));
        dispatcher = push(DispatcherService.start(DispatcherConfig.from(withPort(shared, config.dispatcherPort()))));
        replayer = push(ReplayerService.start(ReplayerConfig.from(withPort(shared, config.replayerPort()))));
    }

    private static Map<String, String> withPort(Map<String, String> shared, int port) {
        Map<String, String> env = new HashMap<>(shared);
        env.put("HOOKLINE_HTTP_PORT", Integer.toString(port));
        return env;
    }

    private <T extends AutoCloseable> T push(T component) {
        started.push(component);
        return component;
    }

    public String adminKey() {
        return adminKey;
    }

    /**
     * The settings every service of this standalone was started with (broker, database, keys), without a port:
     * enough to start one more service against the same infrastructure, as a benchmark does.
     */
    public Map<String, String> serviceEnvironment() {
        return serviceEnvironment;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public int gatewayPort() {
        return gateway.httpPort();
    }

    public int registrarPort() {
        return registrar.httpPort();
    }

    public int dispatcherPort() {
        return dispatcher.httpPort();
    }

    public int replayerPort() {
        return replayer.httpPort();
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                LOG.warn("{} did not stop cleanly: {}", component.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
