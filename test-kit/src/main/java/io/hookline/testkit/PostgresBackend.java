package io.hookline.testkit;

/** A running PostgreSQL server that tests share, one database per test class. */
interface PostgresBackend extends AutoCloseable {
    String jdbcUrl(String database);

    String user();

    String password();

    void createDatabase(String name);

    /** Drops the database even if a forgotten connection pool still uses it. */
    void dropDatabase(String name);

    @Override
    void close();
}
