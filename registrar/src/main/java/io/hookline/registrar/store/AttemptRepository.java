package io.hookline.registrar.store;

import io.hookline.common.event.AttemptRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The day-partitioned {@code attempts} table: delivery history and the figures of endpoint health. */
public final class AttemptRepository {
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final String COLUMNS = "id, subscription_id, tenant, event_id, topic, attempt, url, started_at, "
            + "latency_ms, outcome, status_code, error, retry_after_ms, response_excerpt";

    /** Health figures of one subscription over a window. */
    public record Health(long attempts, long successes, Double p50LatencyMs, Double p99LatencyMs,
                         long consecutiveFailures, Instant lastSuccessAt, Instant lastFailureAt,
                         AttemptRecord lastFailure) {
    }

    /** Where a page of history continues: after this attempt in (started_at, id) descending order. */
    public record Position(Instant startedAt, String id) {
    }

    public static String partitionName(LocalDate day) {
        return "attempts_" + DAY.format(day);
    }

    /** Creates the partition of {@code day} (UTC) unless it exists; serialised across registrar instances. */
    public void ensurePartition(Handle h, LocalDate day) {
        h.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.attempts-partitions'))");
        String from = day.atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String to = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        // Names and bounds come from a LocalDate, never from input.
        h.execute("CREATE TABLE IF NOT EXISTS " + partitionName(day) + " PARTITION OF attempts FOR VALUES FROM ('"
                + from + "') TO ('" + to + "')");
    }

    /** Where a subscription's current failure streak starts and ends (only failures since its last success). */
    public record FailureStreak(Instant firstFailureAt, Instant lastFailureAt, long failures) {
        public Duration span() {
            return Duration.between(firstFailureAt, lastFailureAt);
        }
    }

    /**
     * Inserts the attempts; ones already stored (a replayed record, or a duplicate within the batch) are skipped.
     * Returns the attempts this call stored, so that what follows from an attempt happens once.
     */
    public List<AttemptRecord> insertAll(Handle h, List<AttemptRecord> attempts) {
        if (attempts.isEmpty()) {
            return List.of();
        }
        // One statement over column arrays instead of a JDBC batch of one INSERT per row: at thousands of attempts
        // a second, the batch's per-row parse/bind/execute round was most of the recorder's and PostgreSQL's CPU.
        int n = attempts.size();
        String[] ids = new String[n];
        String[] subscriptions = new String[n];
        String[] tenants = new String[n];
        String[] events = new String[n];
        String[] topics = new String[n];
        Integer[] numbers = new Integer[n];
        String[] urls = new String[n];
        String[] startedAt = new String[n];
        Long[] latencies = new Long[n];
        String[] outcomes = new String[n];
        Integer[] statuses = new Integer[n];
        String[] errors = new String[n];
        Long[] retryAfters = new Long[n];
        String[] excerpts = new String[n];
        for (int i = 0; i < n; i++) {
            AttemptRecord a = attempts.get(i);
            ids[i] = a.id();
            subscriptions[i] = a.subscriptionId();
            tenants[i] = a.tenant();
            events[i] = a.eventId();
            topics[i] = a.topic();
            numbers[i] = a.attempt();
            urls[i] = a.url();
            startedAt[i] = a.startedAt().toString();
            latencies[i] = a.latencyMs();
            outcomes[i] = a.outcome();
            statuses[i] = a.statusCode();
            errors[i] = a.error();
            retryAfters[i] = a.retryAfterMs();
            excerpts[i] = a.responseExcerpt();
        }
        Set<String> stored = new HashSet<>(h.createQuery("INSERT INTO attempts (" + COLUMNS + ") SELECT * FROM unnest("
                        + "CAST(:id AS text[]), CAST(:subscriptionId AS text[]), CAST(:tenant AS text[]), "
                        + "CAST(:eventId AS text[]), CAST(:topic AS text[]), CAST(:attempt AS integer[]), "
                        + "CAST(:url AS text[]), CAST(:startedAt AS timestamptz[]), CAST(:latencyMs AS bigint[]), "
                        + "CAST(:outcome AS text[]), CAST(:statusCode AS integer[]), CAST(:error AS text[]), "
                        + "CAST(:retryAfterMs AS bigint[]), CAST(:responseExcerpt AS text[])) "
                        + "ON CONFLICT DO NOTHING RETURNING id")
                .bind("id", ids)
                .bind("subscriptionId", subscriptions)
                .bind("tenant", tenants)
                .bind("eventId", events)
                .bind("topic", topics)
                .bind("attempt", numbers)
                .bind("url", urls)
                .bind("startedAt", startedAt)
                .bind("latencyMs", latencies)
                .bind("outcome", outcomes)
                .bind("statusCode", statuses)
                .bind("error", errors)
                .bind("retryAfterMs", retryAfters)
                .bind("responseExcerpt", excerpts)
                .mapTo(String.class).list());
        List<AttemptRecord> inserted = new ArrayList<>(stored.size());
        for (AttemptRecord a : attempts) {
            // A replayed attempt was not stored again; a duplicate within the batch was stored once.
            if (stored.remove(a.id())) {
                inserted.add(a);
            }
        }
        return inserted;
    }

    /**
     * The failures of a subscription after its last success and after {@code since} (its last re-enable; null =
     * no bound), or empty when there are none. Two index lookups: the partial index of successes finds the last
     * success, the subscription index the failures after it.
     */
    public Optional<FailureStreak> failureStreak(Handle h, String subscriptionId, Instant since) {
        return Optional.ofNullable(h.createQuery("""
                        SELECT min(started_at) AS first_failure, max(started_at) AS last_failure, count(*) AS failures
                        FROM attempts
                        WHERE subscription_id = :sub AND outcome <> 'success'
                          AND started_at > greatest(CAST(:since AS timestamptz),
                                coalesce((SELECT max(started_at) FROM attempts
                                          WHERE subscription_id = :sub AND outcome = 'success'),
                                         CAST('-infinity' AS timestamptz)))""")
                .bind("sub", subscriptionId)
                .bind("since", since == null ? null : JsonColumns.timestamp(since))
                .map((rs, ctx) -> rs.getLong("failures") == 0 ? null
                        : new FailureStreak(JsonColumns.instant(rs, "first_failure"),
                        JsonColumns.instant(rs, "last_failure"), rs.getLong("failures")))
                .one());
    }

    /** The days that have a partition, oldest first. */
    public List<LocalDate> partitionDays(Handle h) {
        return h.createQuery("""
                        SELECT c.relname FROM pg_inherits i
                        JOIN pg_class c ON c.oid = i.inhrelid
                        JOIN pg_class p ON p.oid = i.inhparent
                        JOIN pg_namespace n ON n.oid = p.relnamespace
                        WHERE p.relname = 'attempts' AND n.nspname = current_schema()
                        ORDER BY c.relname""")
                .mapTo(String.class)
                .list().stream()
                .filter(name -> name.matches("attempts_\\d{8}"))
                .map(name -> LocalDate.parse(name.substring("attempts_".length()), DAY))
                .toList();
    }

    public void dropPartition(Handle h, LocalDate day) {
        h.execute("DROP TABLE IF EXISTS " + partitionName(day));
    }

    /** A page of a subscription's attempts, newest first. */
    public List<AttemptRecord> page(Handle h, String subscriptionId, String outcome, String eventId, Position after,
                                    int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM attempts WHERE subscription_id = :sub");
        if (outcome != null) {
            sql.append(" AND outcome = :outcome");
        }
        if (eventId != null) {
            sql.append(" AND event_id = :eventId");
        }
        if (after != null) {
            sql.append(" AND (started_at, id) < (:afterAt, :afterId)");
        }
        sql.append(" ORDER BY started_at DESC, id DESC LIMIT :limit");
        Query q = h.createQuery(sql.toString()).bind("sub", subscriptionId).bind("limit", limit);
        if (outcome != null) {
            q.bind("outcome", outcome);
        }
        if (eventId != null) {
            q.bind("eventId", eventId);
        }
        if (after != null) {
            q.bind("afterAt", JsonColumns.timestamp(after.startedAt())).bind("afterId", after.id());
        }
        return q.map(AttemptRepository::map).list();
    }

    public Health health(Handle h, String subscriptionId, Instant since) {
        record Window(long attempts, long successes, Double p50, Double p99) {
        }
        Window window = h.createQuery("""
                        SELECT count(*) AS attempts,
                               count(*) FILTER (WHERE outcome = 'success') AS successes,
                               percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                               percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
                        FROM attempts WHERE subscription_id = :sub AND started_at >= :since""")
                .bind("sub", subscriptionId)
                .bind("since", JsonColumns.timestamp(since))
                .map((rs, ctx) -> new Window(rs.getLong("attempts"), rs.getLong("successes"),
                        rs.getObject("p50", Double.class), rs.getObject("p99", Double.class)))
                .one();
        Instant lastSuccess = h.createQuery("SELECT max(started_at) FROM attempts WHERE subscription_id = :sub "
                        + "AND outcome = 'success'")
                .bind("sub", subscriptionId)
                .map((rs, ctx) -> JsonColumns.instant(rs, 1))
                .one();
        Optional<AttemptRecord> lastFailure = h.createQuery("SELECT " + COLUMNS + " FROM attempts "
                        + "WHERE subscription_id = :sub AND outcome <> 'success' ORDER BY started_at DESC, id DESC LIMIT 1")
                .bind("sub", subscriptionId)
                .map(AttemptRepository::map)
                .findFirst();
        long consecutive = h.createQuery("SELECT count(*) FROM attempts WHERE subscription_id = :sub "
                        + "AND outcome <> 'success' AND started_at > :after")
                .bind("sub", subscriptionId)
                .bind("after", JsonColumns.timestamp(lastSuccess != null ? lastSuccess : Instant.EPOCH))
                .mapTo(Long.class)
                .one();
        return new Health(window.attempts(), window.successes(), window.p50(), window.p99(), consecutive, lastSuccess,
                lastFailure.map(AttemptRecord::startedAt).orElse(null), lastFailure.orElse(null));
    }

    private static AttemptRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AttemptRecord(1, rs.getString("id"), rs.getString("subscription_id"), rs.getString("tenant"),
                rs.getString("event_id"), rs.getString("topic"), rs.getInt("attempt"), rs.getString("url"),
                JsonColumns.instant(rs, "started_at"), rs.getLong("latency_ms"), rs.getString("outcome"),
                rs.getObject("status_code", Integer.class), rs.getString("error"),
                rs.getObject("retry_after_ms", Long.class), rs.getString("response_excerpt"));
    }
}
