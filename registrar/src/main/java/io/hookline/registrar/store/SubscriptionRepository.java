package io.hookline.registrar.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.SubscriptionRecord.SigningSecret;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code subscriptions} table, mapped to and from the {@link SubscriptionRecord} that is broadcast. */
public final class SubscriptionRepository {
    private static final String COLUMNS = "id, tenant, url, topics, description, headers, rate_limit_per_second, "
            + "max_in_flight, timeout_ms, retry_schedule, max_age_seconds, ordering, metadata, status, version, "
            + "secrets, created_at, updated_at";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {
    };
    private static final TypeReference<List<SigningSecret>> SECRETS = new TypeReference<>() {
    };
    /** Patterns that deliver events of topic :topic to a subscription (see TopicPattern). */
    private static final String MATCHES_TOPIC = """
            EXISTS (SELECT 1 FROM jsonb_array_elements_text(topics) AS p(pattern)
                    WHERE p.pattern = CAST(:topic AS text) OR p.pattern = '*'
                       OR (right(p.pattern, 2) = '.*'
                           AND length(CAST(:topic AS text)) > length(p.pattern) - 1
                           AND left(CAST(:topic AS text), length(p.pattern) - 1) = left(p.pattern, length(p.pattern) - 1)))""";

    public void insert(Handle h, SubscriptionRecord s) {
        bindAll(h.createUpdate("INSERT INTO subscriptions (" + COLUMNS + ") VALUES (:id, :tenant, :url, "
                + "CAST(:topics AS jsonb), :description, CAST(:headers AS jsonb), :rateLimitPerSecond, :maxInFlight, "
                + ":timeoutMs, CAST(:retrySchedule AS jsonb), :maxAgeSeconds, :ordering, CAST(:metadata AS jsonb), "
                + ":status, :version, CAST(:secrets AS jsonb), :createdAt, :updatedAt)"), s).execute();
    }

    /** Replaces every mutable column of the row with {@code s} (whose version the caller has advanced). */
    public void update(Handle h, SubscriptionRecord s) {
        bindAll(h.createUpdate("""
                UPDATE subscriptions SET url = :url, topics = CAST(:topics AS jsonb), description = :description,
                    headers = CAST(:headers AS jsonb), rate_limit_per_second = :rateLimitPerSecond,
                    max_in_flight = :maxInFlight, timeout_ms = :timeoutMs,
                    retry_schedule = CAST(:retrySchedule AS jsonb), max_age_seconds = :maxAgeSeconds,
                    ordering = :ordering, metadata = CAST(:metadata AS jsonb), status = :status, version = :version,
                    secrets = CAST(:secrets AS jsonb), updated_at = :updatedAt
                WHERE id = :id"""), s).execute();
    }

    public Optional<SubscriptionRecord> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM subscriptions WHERE id = :id")
                .bind("id", id)
                .map(SubscriptionRepository::map)
                .findFirst();
    }

    /** Reads the row and locks it until the transaction ends, for read-modify-write changes. */
    public Optional<SubscriptionRecord> lock(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM subscriptions WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map(SubscriptionRepository::map)
                .findFirst();
    }

    /** Why a subscription has its status and since when (null members for subscriptions never enabled or disabled). */
    public record StatusInfo(String status, String reason, Instant changedAt) {
        public boolean isActive() {
            return SubscriptionRecord.ACTIVE.equals(status);
        }
    }

    public Optional<StatusInfo> statusInfo(Handle h, String id) {
        return h.createQuery("SELECT status, status_reason, status_changed_at FROM subscriptions WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new StatusInfo(rs.getString("status"), rs.getString("status_reason"),
                        JsonColumns.instant(rs, "status_changed_at")))
                .findFirst();
    }

    /** Records why and when the status changed (the row itself is written by {@link #update}). */
    public void recordStatusChange(Handle h, String id, String reason, Instant at) {
        h.createUpdate("UPDATE subscriptions SET status_reason = :reason, status_changed_at = :at WHERE id = :id")
                .bind("id", id)
                .bind("reason", reason)
                .bind("at", JsonColumns.timestamp(at))
                .execute();
    }

    public boolean delete(Handle h, String id) {
        return h.createUpdate("DELETE FROM subscriptions WHERE id = :id").bind("id", id).execute() == 1;
    }

    public List<SubscriptionRecord> list(Handle h, SubscriptionFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM subscriptions WHERE true");
        if (filter.tenant() != null) {
            sql.append(" AND tenant = :tenant");
        }
        if (filter.status() != null) {
            sql.append(" AND status = :status");
        }
        if (filter.topic() != null) {
            sql.append(filter.topic().contains("*") ? " AND topics @> jsonb_build_array(CAST(:topic AS text))"
                    : " AND " + MATCHES_TOPIC);
        }
        if (filter.after() != null) {
            sql.append(" AND id > :after");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        Query query = h.createQuery(sql.toString()).bind("limit", filter.limit());
        if (filter.tenant() != null) {
            query.bind("tenant", filter.tenant());
        }
        if (filter.status() != null) {
            query.bind("status", filter.status());
        }
        if (filter.topic() != null) {
            query.bind("topic", filter.topic());
        }
        if (filter.after() != null) {
            query.bind("after", filter.after());
        }
        return query.map(SubscriptionRepository::map).list();
    }

    /** Ids of {@code tenant}'s subscriptions that name {@code topic} exactly (not through a wildcard). */
    public List<String> idsNamingTopic(Handle h, String tenant, String topic) {
        return h.createQuery("SELECT id FROM subscriptions WHERE tenant = :tenant "
                        + "AND topics @> jsonb_build_array(CAST(:topic AS text)) ORDER BY id")
                .bind("tenant", tenant)
                .bind("topic", topic)
                .mapTo(String.class)
                .list();
    }

    public List<SubscriptionRecord> all(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM subscriptions ORDER BY id")
                .map(SubscriptionRepository::map).list();
    }

    private static <S extends SqlStatement<S>> S bindAll(S statement, SubscriptionRecord s) {
        return statement
                .bind("id", s.id())
                .bind("tenant", s.tenant())
                .bind("url", s.url())
                .bind("topics", JsonColumns.write(s.topics()))
                .bind("description", s.description())
                .bind("headers", JsonColumns.write(s.headers() == null ? Map.of() : s.headers()))
                .bind("rateLimitPerSecond", s.rateLimitPerSecond())
                .bind("maxInFlight", s.maxInFlight())
                .bind("timeoutMs", s.timeoutMs())
                .bind("retrySchedule", JsonColumns.write(s.retrySchedule()))
                .bind("maxAgeSeconds", s.maxAgeSeconds())
                .bind("ordering", s.ordering())
                .bind("metadata", JsonColumns.write(s.metadata()))
                .bind("status", s.status())
                .bind("version", s.version())
                .bind("secrets", JsonColumns.write(s.secrets()))
                .bind("createdAt", JsonColumns.timestamp(s.createdAt()))
                .bind("updatedAt", JsonColumns.timestamp(s.updatedAt()));
    }

    private static SubscriptionRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new SubscriptionRecord(
                rs.getString("id"),
                rs.getString("tenant"),
                rs.getString("url"),
                JsonColumns.read(rs, "topics", STRINGS),
                rs.getString("description"),
                JsonColumns.read(rs, "headers", HEADERS),
                rs.getObject("rate_limit_per_second", Double.class),
                rs.getObject("max_in_flight", Integer.class),
                rs.getObject("timeout_ms", Integer.class),
                JsonColumns.read(rs, "retry_schedule", STRINGS),
                rs.getObject("max_age_seconds", Long.class),
                rs.getString("ordering"),
                JsonColumns.readTree(rs, "metadata"),
                rs.getString("status"),
                rs.getLong("version"),
                JsonColumns.read(rs, "secrets", SECRETS),
                JsonColumns.instant(rs, "created_at"),
                JsonColumns.instant(rs, "updated_at"));
    }
}
