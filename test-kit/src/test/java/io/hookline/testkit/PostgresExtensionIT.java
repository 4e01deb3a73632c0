package io.hookline.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

@WithPostgres
class PostgresExtensionIT {
    static TestDatabase database;

    @Test
    void givesEachClassItsOwnDatabase(TestDatabase parameter) throws Exception {
        assertThat(parameter).isSameAs(database);
        assertThat(database.name()).matches("t_postgresextensionit_[a-z0-9]{8}");
        assertThat(database.jdbcUrl()).startsWith("jdbc:postgresql://").endsWith("/" + database.name());
        try (Connection connection = database.connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_database()")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo(database.name());
        }
    }

    @Test
    void theDatabaseIsUsable() throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS item (id bigint PRIMARY KEY, name text NOT NULL)");
            statement.execute("INSERT INTO item VALUES (1, 'one') ON CONFLICT DO NOTHING");
            try (ResultSet rows = statement.executeQuery("SELECT name FROM item WHERE id = 1")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("one");
            }
        }
    }
}
