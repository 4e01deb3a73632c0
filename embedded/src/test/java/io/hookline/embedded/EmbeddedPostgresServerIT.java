package io.hookline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerIT {
    @TempDir
    Path temp;

    @Test
    void servesQueriesAndKeepsDataAcrossRestarts() throws Exception {
        Path data = temp.resolve("pg");
        try (EmbeddedPostgresServer server = server(data)) {
            assertThat(server.jdbcUrl("app")).startsWith("jdbc:postgresql://127.0.0.1:");
            server.createDatabaseIfAbsent("app");
            server.createDatabaseIfAbsent("app");
            execute(server, "app", "CREATE TABLE greeting (text text)", "INSERT INTO greeting VALUES ('hello')");
            assertThat(queryString(server, "app", "SELECT text FROM greeting")).isEqualTo("hello");
            assertThat(queryString(server, "app", "SHOW listen_addresses")).isEqualTo("127.0.0.1");
        }

        try (EmbeddedPostgresServer restarted = server(data)) {
            restarted.createDatabaseIfAbsent("app");
            assertThat(queryString(restarted, "app", "SELECT text FROM greeting")).isEqualTo("hello");
        }
    }

    @Test
    void databaseNamesAreQuotedNotInterpreted() throws Exception {
        try (EmbeddedPostgresServer server = server(temp.resolve("pg"))) {
            server.createDatabaseIfAbsent("Odd \"name\"; DROP");

            assertThat(queryString(server, "postgres",
                    "SELECT datname FROM pg_database WHERE datname LIKE 'Odd%'")).isEqualTo("Odd \"name\"; DROP");
            assertThatThrownBy(() -> server.createDatabaseIfAbsent("x".repeat(64)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void restartsAfterTheOwningJvmWasKilledWhileItsServerKeptRunning() throws Exception {
        Path data = temp.resolve("pg");
        Path ready = temp.resolve("pg-ready");
        long orphanPid;
        try (ChildJvm owner = ChildJvm.start(PostgresOwnerMain.class, temp.resolve("pg-owner.log"),
                data.toString(), ready.toString())) {
            await("child JVM PostgreSQL ready").atMost(Duration.ofMinutes(3))
                    .failFast("child JVM exited:\n" + owner.output(), () -> !owner.isAlive())
                    .until(() -> Files.exists(ready));
            orphanPid = postmasterPid(data);
            owner.kill();
        }
        // The situation under test: the owner is gone, its server is not.
        assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).contains(true);

        try (EmbeddedPostgresServer server = server(data)) {
            assertThat(queryString(server, "survivor", "SELECT text FROM note WHERE id = 1"))
                    .isEqualTo("written before the owner died");
            assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    @Test
    void deletesAStalePidFileThatNamesAnUnrelatedLiveProcess() throws Exception {
        Path data = temp.resolve("pg");
        try (EmbeddedPostgresServer server = server(data)) {
            server.createDatabaseIfAbsent("app");
            execute(server, "app", "CREATE TABLE kept (n int)", "INSERT INTO kept VALUES (7)");
        }
        // As after a crash and a reboot: the pid now belongs to another process (this JVM), which PostgreSQL
        // itself would refuse to start next to.
        Files.writeString(data.resolve("postmaster.pid"),
                ProcessHandle.current().pid() + "\n" + data.toAbsolutePath() + "\n1700000000\n5432\n\n127.0.0.1\n",
                StandardCharsets.UTF_8);

        try (EmbeddedPostgresServer server = server(data)) {
            assertThat(queryString(server, "app", "SELECT n FROM kept")).isEqualTo("7");
        }
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void refusesADataDirectoryThatALiveServerOwns() {
        Path data = temp.resolve("pg");
        try (EmbeddedPostgresServer owner = server(data)) {
            EmbeddedPostgresServer intruder = EmbeddedPostgresServer.builder().dataDirectory(data).build();

            assertThatThrownBy(intruder::start)
                    .isInstanceOf(EmbeddedPostgresException.class)
                    .hasMessageContaining("already in use");
            assertThat(owner.port()).isPositive();
        }
    }

    @Test
    void reinitialisesAClusterWhoseFirstStartNeverHappened() throws Exception {
        Path data = Files.createDirectories(temp.resolve("pg"));
        // What a kill during the first initdb leaves behind: some of its files, no server ever started.
        Files.writeString(data.resolve("PG_VERSION"), "18\n");
        Files.createDirectories(data.resolve("global"));

        try (EmbeddedPostgresServer server = server(data)) {
            assertThat(queryString(server, "postgres", "SELECT 1")).isEqualTo("1");
        }
    }

    private static EmbeddedPostgresServer server(Path data) {
        return EmbeddedPostgresServer.builder()
                .dataDirectory(data)
                .serverConfig("fsync", "off")
                .build()
                .start();
    }

    private static long postmasterPid(Path data) throws Exception {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    private static void execute(EmbeddedPostgresServer server, String database, String... statements)
            throws SQLException {
        try (Connection connection = connect(server, database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String queryString(EmbeddedPostgresServer server, String database, String sql)
            throws SQLException {
        try (Connection connection = connect(server, database);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static Connection connect(EmbeddedPostgresServer server, String database) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
    }
}
