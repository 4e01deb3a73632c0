package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hookline.common.config.ConfigException;
import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up failures are one line naming the variable; a database outage during a request is a 503. */
@WithKafka
@WithPostgres
class StartupIT {
    static TestKafka kafka;
    static TestDatabase db;

    private static int closedLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertStartFails(Map<String, String> env, String variable, String text) {
        assertThatThrownBy(() -> RegistrarService.start(RegistrarConfig.from(env)))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo(variable);
                    assertThat(e.getMessage()).startsWith(variable + ": ").contains(text).doesNotContain("\n");
                });
    }

    @Test
    void anUnreachableDatabaseStopsStartUpWithOneLine() throws Exception {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedLoopbackPort() + "/hookline");
        env.put("HOOKLINE_DB_CONNECT_TIMEOUT", "1s");
        assertStartFails(env, "HOOKLINE_DB_URL", "cannot connect");
    }

    @Test
    void aMissingDatabaseStopsStartUpWithOneLine() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_URL", db.jdbcUrl().replace("/" + db.name(), "/no_such_database"));
        assertStartFails(env, "HOOKLINE_DB_URL", "database \"no_such_database\" does not exist");
    }

    @Test
    void aWrongDatabasePasswordNamesThePassword() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_DB_USER", "nobody");
        env.put("HOOKLINE_DB_PASSWORD", "wrong");
        env.put("HOOKLINE_DB_CONNECT_TIMEOUT", "1s");
        assertThatThrownBy(() -> RegistrarService.start(RegistrarConfig.from(env)))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.getMessage()).startsWith("HOOKLINE_DB_").doesNotContain("\n"));
    }

    @Test
    void anUnreachableKafkaStopsStartUpWithOneLine() throws Exception {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closedLoopbackPort());
        env.put("HOOKLINE_KAFKA_TIMEOUT", "2s");
        assertStartFails(env, "HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "cannot reach Kafka");
    }

    @Test
    void aDatabaseOutageDuringARequestIsA503WithRetryAfterAndPassesWhenItEnds() throws Exception {
        try (TestRegistrar registrar = TestRegistrar.start(TestRegistrar.env(kafka, db))) {
            assertThat(registrar.get("/v1/subscriptions", ADMIN_KEY).status()).isEqualTo(200);
            setConnectionsAllowed(false);
            try {
                Response list = registrar.get("/v1/subscriptions", ADMIN_KEY);
                assertThat(list.status()).as(list.toString()).isEqualTo(503);
                assertThat(list.header("retry-after")).isNotNull();
                assertThat(list.header("content-type")).isEqualTo("application/problem+json");
                Response create = registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"during.outage\"}");
                assertThat(create.status()).as(create.toString()).isEqualTo(503);
                assertThat(registrar.get("/readyz", null).status()).isEqualTo(503);
            } finally {
                setConnectionsAllowed(true);
            }
            await("database back").atMost(Duration.ofSeconds(30))
                    .until(() -> registrar.get("/v1/subscriptions", ADMIN_KEY).status() == 200);
            assertThat(registrar.post("/v1/topics", ADMIN_KEY, "{\"name\":\"after.outage\"}").status()).isEqualTo(201);
        }
    }

    /** Refuses new connections to the test database and ends the open ones: the database is "down". */
    private static void setConnectionsAllowed(boolean allowed) throws SQLException {
        String adminUrl = db.jdbcUrl().replace("/" + db.name(), "/postgres");
        try (Connection c = DriverManager.getConnection(adminUrl, db.user(), db.password());
             Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE \"" + db.name() + "\" ALLOW_CONNECTIONS " + allowed);
            if (!allowed) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name()
                        + "' AND pid <> pg_backend_pid()");
            }
        }
    }
}
