package io.hookline.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/** Child JVM: owns an embedded PostgreSQL, writes one row, signals readiness, then waits to be killed. */
public final class PostgresOwnerMain {
    private PostgresOwnerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDirectory = Path.of(args[0]);
        Path readyFile = Path.of(args[1]);
        EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().dataDirectory(dataDirectory).build().start();
        server.createDatabaseIfAbsent("survivor");
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl("survivor"), server.user(),
                server.password());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS note (id int PRIMARY KEY, text text NOT NULL)");
            statement.execute("INSERT INTO note VALUES (1, 'written before the owner died')");
        }
        Files.writeString(readyFile, String.valueOf(server.port()));
        new CountDownLatch(1).await();
    }
}
