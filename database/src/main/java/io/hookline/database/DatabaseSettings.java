package io.hookline.database;
import java.time.Duration;

/**
 * Where a service's PostgreSQL is and how to use it. {@code schema} holds the service's tables and its Flyway
 * history, so several services may share one database.
 */
public record DatabaseSettings(String url, String user, String password, String schema, int poolSize,
                               Duration connectTimeout) {
    @Override
    public String toString() {
        return "DatabaseSettings[url=" + ServiceDatabase.printable(url) + ", user=" + user + ", schema=" + schema
                + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + "]"; // never the password
    }
}
