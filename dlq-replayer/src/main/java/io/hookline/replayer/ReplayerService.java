package io.hookline.replayer;

import io.hookline.common.config.ConfigException;
import io.hookline.common.http.HttpServer;
import io.hookline.common.http.ReadinessCheck;
import io.hookline.common.http.Router;
import io.hookline.common.kafka.KafkaReachability;
import io.hookline.common.service.Metrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * The dlq-replayer process. This first version only joins the deployment with its operational endpoints
 * ({@code /healthz}, {@code /readyz} checking Kafka and PostgreSQL, {@code /metrics}); the dead-letter index and
 * replay API are built in their own issue.
 */
public final class ReplayerService implements AutoCloseable {
    private final Admin admin;
    private final HttpServer http;

    private ReplayerService(Admin admin, HttpServer http) {
        this.admin = admin;
        this.http = http;
    }

    public static ReplayerService start(ReplayerConfig config) {
        Admin admin = Admin.create(config.kafka().clientConfig());
        try {
            KafkaReachability.require(admin, config.kafka().bootstrapServers(), Duration.ofSeconds(15));
            requireDatabase(config);
            ReadinessCheck database = ReadinessCheck.of("database", () -> {
                try (Connection c = connect(config)) {
                    return c.isValid(2);
                } catch (SQLException e) {
                    return false;
                }
            });
            HttpServer http = HttpServer.start(
                    HttpServer.Settings.defaults("dlq-replayer", config.httpPort()).withHost(config.httpHost()),
                    new Router(), List.of(database), Metrics.newRegistry("dlq-replayer"));
            return new ReplayerService(admin, http);
        } catch (RuntimeException e) {
            admin.close(Duration.ofSeconds(1));
            throw e;
        }
    }

    private static void requireDatabase(ReplayerConfig config) {
        try (Connection c = connect(config)) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new ConfigException("HOOKLINE_DB_URL", "cannot connect to " + config.dbUrl() + ": " + e.getMessage());
        }
    }

    private static Connection connect(ReplayerConfig config) throws SQLException {
        DriverManager.setLoginTimeout(5);
        return DriverManager.getConnection(config.dbUrl(), config.dbUser(), config.dbPassword());
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        admin.close(Duration.ofSeconds(5));
    }
}
