package io.hookline.database;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.hookline.common.config.ConfigException;
import io.hookline.common.http.DependencyUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's PostgreSQL: a bounded connection pool, the service's Flyway migrations applied in its own schema,
 * and Jdbi. Every call translates an outage (no connection, server shutting down, lock or serialization
 * conflicts) into {@link DependencyUnavailableException}, which the HTTP layer answers with 503 and
 * {@code Retry-After}; everything else stays a bug. Each service keeps its migrations in its own classpath folder
 * so that two services in one JVM (the standalone) never apply each other's.
 */
public final class ServiceDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceDatabase.class);
    /** How long a request waits for a pooled connection before the database counts as unavailable. */
    private static final Duration CONNECTION_WAIT = Duration.ofSeconds(3);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();

    private ServiceDatabase(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Waits until PostgreSQL accepts a connection (up to the connect timeout; a database starting alongside is
     * normal), migrates the schema with the migrations under {@code classpath:<migrations>} and opens the pool.
     * Failures are one-line {@link ConfigException}s.
     *
     * @param service names the pool and the connections ({@code application_name} in {@code pg_stat_activity})
     */
    public static ServiceDatabase open(DatabaseSettings settings, String service, String migrations,
                                       MeterRegistry meters) {
        awaitConnection(settings);
        HikariConfig hikari = new HikariConfig();
        hikari.setMetricRegistry(meters);
        hikari.setPoolName(service + "-db");
        hikari.setJdbcUrl(settings.url());
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setSchema(settings.schema());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(Math.min(2, settings.poolSize()));
        hikari.setConnectionTimeout(CONNECTION_WAIT.toMillis());
        hikari.setValidationTimeout(1000);
        hikari.setInitializationFailTimeout(-1); // reachability was checked above, with a clear message
        // A half-open TCP connection must not hang a request thread forever.
        hikari.addDataSourceProperty("socketTimeout", "30");
        hikari.addDataSourceProperty("connectTimeout", "5");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        hikari.addDataSourceProperty("ApplicationName", "hookline-" + service);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .schemas(settings.schema())
                    .defaultSchema(settings.schema())
                    .locations("classpath:" + migrations)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            dataSource.close();
            throw new ConfigException("HOOKLINE_DB_URL", "cannot migrate schema '" + settings.schema() + "' at "
                    + printable(settings.url()) + ": " + firstLine(e.getMessage()));
        }
        LOG.info("database {} ready (schema {})", printable(settings.url()), settings.schema());
        return new ServiceDatabase(dataSource);
    }

    private static void awaitConnection(DatabaseSettings settings) {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        props.setProperty("password", settings.password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("loginTimeout", "5");
        long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
        String url = printable(settings.url());
        while (true) {
            try {
                DriverManager.getConnection(settings.url(), props).close();
                return;
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.startsWith("28")) { // 28P01: wrong password; 28000: unknown role or not allowed
                    throw new ConfigException(state.equals("28P01") ? "HOOKLINE_DB_PASSWORD" : "HOOKLINE_DB_USER",
                            "PostgreSQL at " + url + " refused user '" + settings.user() + "': "
                                    + firstLine(e.getMessage()));
                }
                if (state.equals("3D000")) {
                    throw new ConfigException("HOOKLINE_DB_URL", "cannot connect to " + url + ": "
                            + firstLine(e.getMessage()));
                }
                if (System.nanoTime() >= deadline) {
                    throw new ConfigException("HOOKLINE_DB_URL", "cannot connect to PostgreSQL at " + url
                            + " within " + settings.connectTimeout().toSeconds() + "s: " + firstLine(e.getMessage()));
                }
                LOG.info("waiting for PostgreSQL at {}: {}", url, firstLine(e.getMessage()));
                // Start-up only: the database may be starting alongside this service.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    /** Runs {@code callback} on a connection without a transaction (single reads). */
    public <T> T read(HandleCallback<T, RuntimeException> callback) {
        try {
            return jdbi.withHandle(callback);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Runs {@code callback} in one READ COMMITTED transaction; after a successful commit the commit listeners
     * run (e.g. an outbox relay is woken so the change is published at once).
     */
    public <T> T write(HandleCallback<T, RuntimeException> callback) {
        T result;
        try {
            result = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
        } catch (RuntimeException e) {
            throw translate(e);
        }
        for (Runnable listener : commitListeners) {
            listener.run();
        }
        return result;
    }

    /** Transaction without the commit listeners, for an outbox relay itself. */
    public <T> T transaction(HandleCallback<T, RuntimeException> callback) {
        try {
            return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    public void onCommit(Runnable listener) {
        commitListeners.add(listener);
    }

    /** Whether a connection answers a trivial query right now ({@code /readyz}). */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** Outages become {@link DependencyUnavailableException}; anything else is returned unchanged. */
    public static RuntimeException translate(RuntimeException e) {
        if (e instanceof DependencyUnavailableException) {
            return e;
        }
        if (e instanceof ConnectionException || isOutage(e)) {
            LOG.warn("database unavailable: {}", rootMessage(e));
            return new DependencyUnavailableException("the database is unavailable right now; retry later", e);
        }
        return e;
    }

    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true; // the pool had no connection within CONNECTION_WAIT
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") // connection exception
                        || state.startsWith("53") // insufficient resources (too many connections, disk full)
                        || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
                        || state.startsWith("58") // system error (I/O)
                        || state.equals("40001") || state.equals("40P01") // serialization failure, deadlock
                        || state.equals("55P03") // lock not available
                        || state.equals("25006")) { // read-only transaction: a failover in progress
                    return true;
                }
            }
        }
        return false;
    }

    /** True when {@code e} is a unique-constraint violation (SQLSTATE 23505). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return firstLine(String.valueOf(root.getMessage()));
    }

    /** The JDBC URL without its query string, which may carry a password. */
    public static String printable(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }
}
