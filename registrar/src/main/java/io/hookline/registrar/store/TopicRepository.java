package io.hookline.registrar.store;

import io.hookline.common.subscription.TopicRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code topics} table. Names are global because each names a Kafka topic; a topic has one owning tenant. */
public final class TopicRepository {
    private static final String COLUMNS = "name, tenant, partitions, description, schema, created_at";

    /** Inserts the topic; false when the name (or a name Kafka would confuse with it) is taken. */
    public boolean insert(Handle h, TopicRecord topic) {
        return h.createUpdate("""
                        INSERT INTO topics (name, tenant, partitions, description, schema, created_at, updated_at)
                        VALUES (:name, :tenant, :partitions, :description, CAST(:schema AS jsonb), :createdAt, :createdAt)
                        ON CONFLICT DO NOTHING""")
                .bind("name", topic.name())
                .bind("tenant", topic.tenant())
                .bind("partitions", topic.partitions())
                .bind("description", topic.description())
                .bind("schema", JsonColumns.write(topic.schema()))
                .bind("createdAt", JsonColumns.timestamp(topic.createdAt()))
                .execute() == 1;
    }

    /** The existing topic whose Kafka name collides with {@code name} ('.' and '_' are the same to Kafka). */
    public Optional<String> collidingName(Handle h, String name) {
        return h.createQuery("SELECT name FROM topics WHERE replace(name, '.', '_') = replace(:name, '.', '_')")
                .bind("name", name)
                .mapTo(String.class)
                .findFirst();
    }

    public Optional<TopicRecord> find(Handle h, String name) {
        return h.createQuery("SELECT " + COLUMNS + " FROM topics WHERE name = :name")
                .bind("name", name)
                .map(TopicRepository::map)
                .findFirst();
    }

    public Optional<TopicRecord> lock(Handle h, String name) {
        return h.createQuery("SELECT " + COLUMNS + " FROM topics WHERE name = :name FOR UPDATE")
                .bind("name", name)
                .map(TopicRepository::map)
                .findFirst();
    }

    public void update(Handle h, TopicRecord topic, Instant now) {
        h.createUpdate("UPDATE topics SET description = :description, schema = CAST(:schema AS jsonb), "
                        + "updated_at = :now WHERE name = :name")
                .bind("name", topic.name())
                .bind("description", topic.description())
                .bind("schema", JsonColumns.write(topic.schema()))
                .bind("now", JsonColumns.timestamp(now))
                .execute();
    }

    public boolean delete(Handle h, String name) {
        return h.createUpdate("DELETE FROM topics WHERE name = :name").bind("name", name).execute() == 1;
    }

    /** One page ordered by name; {@code tenant} null means every tenant, {@code after} the previous page's last. */
    public List<TopicRecord> list(Handle h, String tenant, String after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM topics WHERE true");
        if (tenant != null) {
            sql.append(" AND tenant = :tenant");
        }
        if (after != null) {
            sql.append(" AND name > :after");
        }
        sql.append(" ORDER BY name LIMIT :limit");
        Query query = h.createQuery(sql.toString()).bind("limit", limit);
        if (tenant != null) {
            query.bind("tenant", tenant);
        }
        if (after != null) {
            query.bind("after", after);
        }
        return query.map(TopicRepository::map).list();
    }

    /** Which of {@code names} are topics of {@code tenant}. */
    public Set<String> existing(Handle h, String tenant, Set<String> names) {
        if (names.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(h.createQuery("SELECT name FROM topics WHERE tenant = :tenant AND name IN (<names>)")
                .bind("tenant", tenant)
                .bindList("names", List.copyOf(names))
                .mapTo(String.class)
                .list());
    }

    public List<TopicRecord> all(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM topics ORDER BY name").map(TopicRepository::map).list();
    }

    private static TopicRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new TopicRecord(rs.getString("name"), rs.getString("tenant"), rs.getInt("partitions"),
                rs.getString("description"), JsonColumns.readTree(rs, "schema"), JsonColumns.instant(rs, "created_at"));
    }
}
