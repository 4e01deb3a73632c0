package io.hookline.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A database of the shared PostgreSQL server created for one test class, dropped after it. */
public final class TestDatabase {
    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;

    TestDatabase(String name, String jdbcUrl, String user, String password) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** The database name: the test class's simple name, lower-cased, plus a random suffix. */
    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** A superuser, so that migrations may create extensions and roles. */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl + "]";
    }
}
