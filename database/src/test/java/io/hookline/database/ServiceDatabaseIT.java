package io.hookline.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import io.hookline.common.http.DependencyUnavailableException;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

@WithPostgres
class ServiceDatabaseIT {
    static TestDatabase db;

    private static DatabaseSettings settings(String schema, String password) {
        return settings(schema, db.user(), password);
    }

    private static DatabaseSettings settings(String schema, String user, String password) {
        return new DatabaseSettings(db.jdbcUrl(), user, password, schema, 2, Duration.ofSeconds(5));
    }

    @Test
    void migratesIntoItsOwnSchemaAndRunsCommitListenersAfterWrites() {
        try (ServiceDatabase database = ServiceDatabase.open(settings("svc_a", db.password()), "svc-a", "db/test-a",
                new SimpleMeterRegistry())) {
            AtomicInteger commits = new AtomicInteger();
            database.onCommit(commits::incrementAndGet);
            database.write(h -> h.execute("INSERT INTO notes (id, text) VALUES (1, 'one')"));
            assertThat(commits).hasValue(1);
            database.transaction(h -> h.execute("INSERT INTO notes (id, text) VALUES (2, 'two')"));
            assertThat(commits).as("the relay's own transactions wake nobody").hasValue(1);
            long count = database.read(h -> h.createQuery("SELECT count(*) FROM svc_a.notes").mapTo(Long.class).one());
            assertThat(count).isEqualTo(2L);
            assertThat(database.isReachable()).isTrue();

            assertThatThrownBy(() -> database.write(h -> h.execute("INSERT INTO notes (id, text) VALUES (1, 'x')")))
                    .isInstanceOf(UnableToExecuteStatementException.class)
                    .satisfies(e -> assertThat(ServiceDatabase.isUniqueViolation(e)).isTrue());
            assertThat(commits).as("a failed write is not a commit").hasValue(1);
        }
        // Opening again finds the schema migrated and keeps its data (Flyway history in the service's schema).
        try (ServiceDatabase again = ServiceDatabase.open(settings("svc_a", db.password()), "svc-a", "db/test-a",
                new SimpleMeterRegistry())) {
            long count = again.read(h -> h.createQuery("SELECT count(*) FROM notes").mapTo(Long.class).one());
            assertThat(count).isEqualTo(2L);
        }
    }

    @Test
    void anUnknownUserStopsStartUpWithOneLineNamingTheVariable() {
        assertThatThrownBy(() -> ServiceDatabase.open(settings("svc_b", "nobody_here", "x"), "svc-b",
                "db/test-a", new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HOOKLINE_DB_USER")
                .hasMessageContaining("nobody_here")
                .hasMessageNotContaining("\n");
    }

    @Test
    void outagesBecomeDependencyUnavailableAndBugsStayBugs() {
        SQLException connectionLost = new SQLException("connection lost", "08006");
        RuntimeException outage = ServiceDatabase.translate(new RuntimeException(connectionLost));
        assertThat(outage).isInstanceOf(DependencyUnavailableException.class);
        assertThat(ServiceDatabase.isOutage(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(ServiceDatabase.isOutage(new SQLException("admin shutdown", "57P01"))).isTrue();

        RuntimeException bug = new RuntimeException(new SQLException("syntax error", "42601"));
        assertThat(ServiceDatabase.translate(bug)).isSameAs(bug);
        assertThat(ServiceDatabase.printable("jdbc:postgresql://h/db?password=secret")).isEqualTo("jdbc:postgresql://h/db");
        assertThat(settings("s", "secret").toString()).doesNotContain("secret");
    }
}
