package io.hookline.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Database administration statements; names come from the test kit, never from test input. */
final class Sql {
    private Sql() {
    }

    static void createDatabase(String adminUrl, String user, String password, String name) {
        execute(adminUrl, user, password, "CREATE DATABASE " + quote(name));
    }

    static void dropDatabase(String adminUrl, String user, String password, String name) {
        execute(adminUrl, user, password, "DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
