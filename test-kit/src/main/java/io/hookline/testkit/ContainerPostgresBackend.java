package io.hookline.testkit;

import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** The official PostgreSQL image, at the major version the embedded binaries ship. */
final class ContainerPostgresBackend implements PostgresBackend {
    private static final String IMAGE = "postgres:18-alpine";
    private static final int PORT = 5432;

    private final PostgreSQLContainer container;

    private ContainerPostgresBackend(PostgreSQLContainer container) {
        this.container = container;
    }

    @SuppressWarnings("resource")
    static ContainerPostgresBackend start() {
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse(IMAGE));
        container.withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                "full_page_writes=off", "-c", "max_connections=300");
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
        return new ContainerPostgresBackend(container);
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(PORT) + "/" + database;
    }

    @Override
    public String user() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public void createDatabase(String name) {
        Sql.createDatabase(container.getJdbcUrl(), user(), password(), name);
    }

    @Override
    public void dropDatabase(String name) {
        Sql.dropDatabase(container.getJdbcUrl(), user(), password(), name);
    }

    @Override
    public void close() {
        container.close();
    }

    @Override
    public String toString() {
        return "PostgreSQL container " + IMAGE + " on " + jdbcUrl(container.getDatabaseName());
    }
}
