package io.hookline.testkit;

import io.hookline.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The embedded module's PostgreSQL, on a temporary directory deleted at close, tuned for speed over durability. */
final class EmbeddedPostgresBackend implements PostgresBackend {
    private final EmbeddedPostgresServer server;
    private final Path directory;

    private EmbeddedPostgresBackend(EmbeddedPostgresServer server, Path directory) {
        this.server = server;
        this.directory = directory;
    }

    static EmbeddedPostgresBackend start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("hookline-test-postgres-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for embedded PostgreSQL", e);
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.builder()
                .dataDirectory(directory)
                // Test data is thrown away with the directory; durability only costs time here.
                .serverConfig("fsync", "off")
                .serverConfig("synchronous_commit", "off")
                .serverConfig("full_page_writes", "off")
                // The test kit's own shutdown hook stops it before deleting the directory.
                .stopOnJvmExit(false)
                .build()
                .start();
        return new EmbeddedPostgresBackend(server, directory);
    }

    @Override
    public String jdbcUrl(String database) {
        return server.jdbcUrl(database);
    }

    @Override
    public String user() {
        return server.user();
    }

    @Override
    public String password() {
        return server.password();
    }

    @Override
    public void createDatabase(String name) {
        server.createDatabaseIfAbsent(name);
    }

    @Override
    public void dropDatabase(String name) {
        Sql.dropDatabase(jdbcUrl("postgres"), user(), password(), name);
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            TempDirectories.deleteQuietly(directory);
        }
    }

    @Override
    public String toString() {
        return "embedded PostgreSQL on " + jdbcUrl("postgres");
    }
}
