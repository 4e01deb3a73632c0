package io.hookline.replayer.store;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** SQL of the dead-letter index (table {@code dead_letters}) and its audit trail. */
public final class DeadLetterRepository {

    /** A dead letter read from Kafka, with where it was read. */
    public record IndexedLetter(DeadLetter letter, int partition, long offset) {
    }

    /** Inserts the letters not yet indexed; a letter already there (re-read after a restart) is left alone. */
    public int insertAll(Handle h, List<IndexedLetter> letters) {
        if (letters.isEmpty()) {
            return 0;
        }
        PreparedBatch batch = h.prepareBatch("""
                INSERT INTO dead_letters (id, tenant, subscription_id, topic, event_id, reason, last_status,
                    attempt_count, first_attempt_at, last_attempt_at, dead_at, letter, kafka_partition, kafka_offset)
                VALUES (:id, :tenant, :subscription, :topic, :eventId, :reason, :lastStatus, :attemptCount,
                    :firstAttemptAt, :lastAttemptAt, :deadAt, CAST(:letter AS jsonb), :partition, :offset)
                ON CONFLICT (id) DO NOTHING""");
        for (IndexedLetter indexed : letters) {
            DeadLetter l = indexed.letter();
            DeliveryTask task = l.task();
            DeadLetter.AttemptSummary last = l.lastAttempt();
            Instant first = task.firstAttemptAt() != null ? task.firstAttemptAt()
                    : l.attempts().isEmpty() ? null : l.attempts().get(0).at();
            Instant lastAt = last != null && last.at() != null ? last.at() : null;
            Instant deadAt = l.deadAt() != null ? l.deadAt() : lastAt != null ? lastAt : Instant.now();
            batch.bind("id", l.id())
                    .bind("tenant", task.event().tenant())
                    .bind("subscription", task.subscriptionId())
                    .bind("topic", task.event().topic())
                    .bind("eventId", task.event().id())
                    .bind("reason", l.reason())
                    .bind("lastStatus", last == null ? null : last.statusCode())
                    .bind("attemptCount", Math.max(l.attempts().size(), task.attempt()))
                    .bind("firstAttemptAt", ts(first))
                    .bind("lastAttemptAt", ts(lastAt))
                    .bind("deadAt", ts(deadAt))
                    .bind("letter", Json.writeString(l))
                    .bind("partition", indexed.partition())
                    .bind("offset", indexed.offset())
                    .add();
        }
        int inserted = 0;
        for (int n : batch.execute()) {
            inserted += n;
        }
        return inserted;
    }

    public Optional<StoredLetter> find(Handle h, String id) {
        return h.createQuery("SELECT * FROM dead_letters WHERE id = :id").bind("id", id)
                .map(StoredLetter.MAPPER).findOne();
    }

    public Optional<StoredLetter> findForUpdate(Handle h, String id) {
        return h.createQuery("SELECT * FROM dead_letters WHERE id = :id FOR UPDATE").bind("id", id)
                .map(StoredLetter.MAPPER).findOne();
    }

    /** The letters with these ids, locked for update (in id order, so two lockers cannot deadlock). */
    public List<StoredLetter> findAllForUpdate(Handle h, List<String> ids) {
        return h.createQuery("SELECT * FROM dead_letters WHERE id = ANY(:ids) ORDER BY id FOR UPDATE")
                .bindArray("ids", String.class, ids).map(StoredLetter.MAPPER).list();
    }

    /** Up to {@code limit} letters matching the filter with an id after {@code after}, by id. */
    public List<StoredLetter> list(Handle h, LetterFilter filter, String after, int limit) {
        Query q = h.createQuery("SELECT * FROM dead_letters d WHERE " + filter.where()
                + (after != null ? " AND d.id > :after" : "") + " ORDER BY d.id LIMIT :limit");
        filter.bindings().forEach(q::bind);
        if (after != null) {
            q.bind("after", after);
        }
        return q.bind("limit", limit).map(StoredLetter.MAPPER).list();
    }

    public void setState(Handle h, String id, String state, String jobId) {
        h.createUpdate("""
                UPDATE dead_letters SET state = :state,
                    replayed_at = CASE WHEN :state = 'replayed' THEN now() ELSE replayed_at END,
                    replay_job_id = COALESCE(:job, replay_job_id)
                WHERE id = :id""")
                .bind("id", id).bind("state", state).bind("job", jobId).execute();
    }

    /** {@link #setState} for many letters at once. */
    public void setStates(Handle h, List<String> ids, String state, String jobId) {
        h.createUpdate("""
                UPDATE dead_letters SET state = :state,
                    replayed_at = CASE WHEN :state = 'replayed' THEN now() ELSE replayed_at END,
                    replay_job_id = COALESCE(:job, replay_job_id)
                WHERE id = ANY(:ids)""")
                .bindArray("ids", String.class, ids).bind("state", state).bind("job", jobId).execute();
    }

    public void discard(Handle h, StoredLetter letter, String actor) {
        h.createUpdate("UPDATE dead_letters SET state = 'discarded', discarded_at = now(), discarded_by = :actor "
                + "WHERE id = :id").bind("id", letter.id()).bind("actor", actor).execute();
        audit(h, letter, "discard", actor, null);
    }

    public void audit(Handle h, StoredLetter letter, String action, String actor, String detail) {
        h.createUpdate("INSERT INTO dead_letter_audit (letter_id, action, actor, tenant, detail) "
                        + "VALUES (:id, :action, :actor, :tenant, :detail)")
                .bind("id", letter.id()).bind("action", action).bind("actor", actor)
                .bind("tenant", letter.tenant()).bind("detail", detail).execute();
    }

    /** The audit trail of one letter, oldest first. */
    public List<Map<String, Object>> auditTrail(Handle h, String id) {
        return h.createQuery("SELECT action, actor, at, detail FROM dead_letter_audit WHERE letter_id = :id ORDER BY seq")
                .bind("id", id)
                .map((rs, ctx) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("action", rs.getString("action"));
                    row.put("actor", rs.getString("actor"));
                    row.put("at", StoredLetter.instant(rs, "at"));
                    if (rs.getString("detail") != null) {
                        row.put("detail", rs.getString("detail"));
                    }
                    return row;
                }).list();
    }

    /** Letters per state, for the {@code hookline.dlq.letters} gauge. */
    public Map<String, Long> countByState(Handle h) {
        Map<String, Long> out = new LinkedHashMap<>();
        h.createQuery("SELECT state, count(*) AS n FROM dead_letters GROUP BY state")
                .map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getLong("n")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Letters still dead per reason. */
    public Map<String, Long> deadByReason(Handle h) {
        Map<String, Long> out = new LinkedHashMap<>();
        h.createQuery("SELECT reason, count(*) AS n FROM dead_letters WHERE state = 'dead' GROUP BY reason")
                .map((rs, ctx) -> Map.entry(rs.getString("reason"), rs.getLong("n")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
