package io.hookline.embedded;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster in this JVM: one KRaft process that is both broker and controller, built from Apache
 * Kafka's own server classes, listening on 127.0.0.1 only. Its storage lives in one data directory that is
 * formatted on first start and reused afterwards, so topics and records survive restarts, including a killed JVM.
 *
 * <p>Defaults suit one node: every replication factor and min ISR is 1 (so consumer groups, transactions and Kafka
 * Streams exactly_once_v2 work), topics are never created implicitly, and the log cleaner's dedupe buffer is 2 MiB
 * instead of Kafka's 128 MiB heap allocation.
 *
 * <p>After an unclean stop (killed JVM) the next start takes about 10 s longer: the controller keeps the dead
 * incarnation's session until {@code broker.session.timeout.ms} (9 s) expires before it lets the node register
 * again. Kafka's calls to end the JVM on a fatal error go through a {@link FatalErrorPolicy}, logged either way.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int BIND_ATTEMPTS = 3;

    /** Properties that define the node's identity and addresses; the builder's own settings own them. */
    private static final Set<String> RESERVED = Set.of(
            "process.roles", "node.id", "broker.id", "listeners", "advertised.listeners", "controller.listener.names",
            "controller.quorum.voters", "controller.quorum.bootstrap.servers", "inter.broker.listener.name",
            "listener.security.protocol.map", "log.dirs", "log.dir", "metadata.log.dir");

    private final Path dataDirectory;
    private final int requestedBrokerPort;
    private final int requestedControllerPort;
    private final Map<String, String> extraProperties;
    private final Duration startupTimeout;
    private final FatalErrorPolicy fatalErrorPolicy;

    private final Object lifecycle = new Object();
    private boolean started;
    private boolean closed;
    private boolean exitIntercepted;
    private KafkaRaftServer server;
    private volatile int brokerPort;
    private volatile int controllerPort;
    private volatile String clusterId;

    private EmbeddedKafkaBroker(Builder builder) {
        this.dataDirectory = builder.dataDirectory.toAbsolutePath().normalize();
        this.requestedBrokerPort = builder.brokerPort;
        this.requestedControllerPort = builder.controllerPort;
        this.extraProperties = Map.copyOf(builder.properties);
        this.startupTimeout = builder.startupTimeout;
        this.fatalErrorPolicy = builder.fatalErrorPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the data directory if it has no {@code meta.properties}, starts the broker and returns once a client
     * can reach it (an Admin client sees the node in {@code describeCluster}).
     *
     * @throws EmbeddedKafkaException if the broker did not come up within the startup timeout
     */
    public EmbeddedKafkaBroker start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException("Embedded Kafka broker in " + dataDirectory + " was already "
                        + (closed ? "closed" : "started") + "; build a new one to restart");
            }
            started = true;
        }
        long begin = System.nanoTime();
        clusterId = KafkaStorage.formatIfNeeded(dataDirectory, NODE_ID, CONTROLLER_LISTENER);
        try {
            synchronized (lifecycle) {
                KafkaExitInterceptor.register(fatalErrorPolicy);
                exitIntercepted = true;
                server = startServer();
            }
            awaitClientsAccepted(begin);
        } catch (RuntimeException e) {
            close();
            throw e instanceof EmbeddedKafkaException ? e : new EmbeddedKafkaException(
                    "Embedded Kafka broker in " + dataDirectory + " failed to start: " + e.getMessage(), e);
        }
        LOG.info("Embedded Kafka broker (cluster {}) ready on {} in {} ms, data in {}", clusterId, bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), dataDirectory);
        return this;
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        if (brokerPort == 0) {
            throw new IllegalStateException("Embedded Kafka broker in " + dataDirectory + " is not started");
        }
        return LoopbackPorts.HOST + ":" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** The cluster id stored in {@code meta.properties}; stable across restarts on the same data directory. */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Shuts the broker down cleanly (flushing logs and writing clean-shutdown markers) and waits for it. */
    @Override
    public void close() {
        KafkaRaftServer running;
        boolean unregister;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            running = server;
            server = null;
            unregister = exitIntercepted;
        }
        try {
            if (running != null) {
                LOG.info("Stopping embedded Kafka broker on {}", LoopbackPorts.HOST + ":" + brokerPort);
                shutdown(running);
                LOG.info("Embedded Kafka broker stopped, data kept in {}", dataDirectory);
            }
        } finally {
            if (unregister) {
                KafkaExitInterceptor.unregister(fatalErrorPolicy);
            }
        }
    }

    private KafkaRaftServer startServer() {
        for (int attempt = 1; ; attempt++) {
            int broker = requestedBrokerPort != 0 ? requestedBrokerPort
                    : LoopbackPorts.pickFreeExcept(requestedControllerPort);
            int controller = requestedControllerPort != 0 ? requestedControllerPort
                    : LoopbackPorts.pickFreeExcept(broker);
            KafkaRaftServer candidate = new KafkaRaftServer(KafkaConfig.fromProps(serverProperties(broker, controller),
                    false), Time.SYSTEM);
            try {
                candidate.startup();
                brokerPort = broker;
                controllerPort = controller;
                return candidate;
            } catch (RuntimeException e) {
                shutdownQuietly(candidate);
                if (attempt < BIND_ATTEMPTS && lostPickedPort(e, broker, controller)) {
                    LOG.warn("Another process took port {} or {} before the broker bound it; retrying with other ports",
                            broker, controller);
                    continue;
                }
                throw e;
            }
        }
    }

    /** A port picked as free can be taken before Kafka binds it; a port the caller chose cannot be fixed by retrying. */
    private boolean lostPickedPort(Throwable failure, int broker, int controller) {
        boolean bindFailure = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if ((requestedBrokerPort != 0 && message.contains(":" + broker))
                    || (requestedControllerPort != 0 && message.contains(":" + controller))) {
                return false;
            }
            bindFailure |= t instanceof BindException || message.contains("Address already in use");
        }
        return bindFailure && (requestedBrokerPort == 0 || requestedControllerPort == 0);
    }

    Properties serverProperties(int broker, int controller) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + LoopbackPorts.HOST + ":" + controller);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", BROKER_LISTENER + "://" + LoopbackPorts.HOST + ":" + broker + ","
                + CONTROLLER_LISTENER + "://" + LoopbackPorts.HOST + ":" + controller);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + LoopbackPorts.HOST + ":" + broker);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", dataDirectory.toString());
        props.put("metadata.log.dir", dataDirectory.toString());
        props.putAll(defaults());
        props.putAll(extraProperties);
        return props;
    }

    private static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        // One node: every internal topic must be satisfiable by a single replica, or groups and transactions hang.
        defaults.put("offsets.topic.replication.factor", "1");
        defaults.put("transaction.state.log.replication.factor", "1");
        defaults.put("transaction.state.log.min.isr", "1");
        defaults.put("share.coordinator.state.topic.replication.factor", "1");
        defaults.put("share.coordinator.state.topic.min.isr", "1");
        defaults.put("default.replication.factor", "1");
        defaults.put("min.insync.replicas", "1");
        // Kafka's 50 partitions per internal topic only cost start-up time and file handles on one node.
        defaults.put("offsets.topic.num.partitions", "5");
        defaults.put("transaction.state.log.num.partitions", "5");
        // The 128 MiB default is allocated on the heap as soon as the cleaner runs.
        defaults.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        defaults.put("group.initial.rebalance.delay.ms", "0");
        // Hookline provisions every topic with explicit configs; an implicit topic is always a bug.
        defaults.put("auto.create.topics.enable", "false");
        defaults.put("num.partitions", "1");
        // An embedded broker shares its cores with the services in the same JVM: Kafka's 8 request handlers and 3
        // network threads per listener only add context switches there (a third of the broker's CPU on 2 cores).
        int cores = Runtime.getRuntime().availableProcessors();
        defaults.put("num.io.threads", String.valueOf(Math.max(2, Math.min(8, cores))));
        defaults.put("num.network.threads", String.valueOf(Math.max(1, Math.min(3, cores / 2))));
        return defaults;
    }

    private void awaitClientsAccepted(long beginNanos) {
        long deadline = beginNanos + startupTimeout.toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
        Exception last = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes()
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                    // Not unfenced yet; the controller answers within a heartbeat interval.
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EmbeddedKafkaException("Interrupted while waiting for the embedded Kafka broker", e);
                }
            }
        }
        throw new EmbeddedKafkaException("Embedded Kafka broker on " + bootstrapServers() + " (data in "
                + dataDirectory + ") did not accept clients within " + startupTimeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private static void shutdown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            shutdown(server);
        } catch (RuntimeException e) {
            LOG.debug("Ignoring failure while shutting down a broker that failed to start", e);
        }
    }

    /** Configures an {@link EmbeddedKafkaBroker}; only the data directory is required. */
    public static final class Builder {
        private Path dataDirectory;
        private int brokerPort;
        private int controllerPort;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startupTimeout = Duration.ofSeconds(90);
        private FatalErrorPolicy fatalErrorPolicy = FatalErrorPolicy.TERMINATE_JVM;

        private Builder() {
        }

        /** Where logs and metadata live; created if missing, formatted on first start, kept on close. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** Client port on 127.0.0.1; 0 (the default) picks a free one on every start. */
        public Builder brokerPort(int port) {
            this.brokerPort = checkPort(port);
            return this;
        }

        /** KRaft controller port on 127.0.0.1; 0 (the default) picks a free one on every start. */
        public Builder controllerPort(int port) {
            this.controllerPort = checkPort(port);
            return this;
        }

        /** Any broker property except the ones that define the node and its listeners; overrides the defaults. */
        public Builder brokerProperty(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException(name + " is set by the embedded broker itself and cannot be overridden");
            }
            properties.put(name, value);
            return this;
        }

        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /** How long {@link #start()} may take before it gives up; 90 s by default. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** {@link FatalErrorPolicy#TERMINATE_JVM} by default. */
        public Builder fatalErrorPolicy(FatalErrorPolicy policy) {
            this.fatalErrorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public EmbeddedKafkaBroker build() {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory is required");
            }
            if (brokerPort != 0 && brokerPort == controllerPort) {
                throw new IllegalStateException("brokerPort and controllerPort must differ: " + brokerPort);
            }
            return new EmbeddedKafkaBroker(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Not a TCP port: " + port);
            }
            return port;
        }
    }
}
