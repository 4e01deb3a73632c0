package io.hookline.replayer.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/**
 * SQL of replay jobs ({@code replay_jobs}) and of their per-letter progress ({@code replay_job_letters}). A
 * job-letter goes {@code pending → sending → sent}, or to {@code failed} / {@code cancelled}; {@code sending} is
 * committed before the Kafka write and {@code sent} after its acknowledgement, so after a crash the only
 * uncertain letters are the ones left in {@code sending}, which are resolved by looking for them on Kafka.
 */
public final class ReplayJobRepository {
    private static final String SELECT = """
            SELECT j.*,
              (SELECT count(*) FROM replay_job_letters l WHERE l.job_id = j.id AND l.state = 'sent') AS replayed,
              (SELECT count(*) FROM replay_job_letters l WHERE l.job_id = j.id AND l.state = 'failed') AS failed,
              (SELECT count(*) FROM replay_job_letters l WHERE l.job_id = j.id AND l.state = 'cancelled') AS cancelled
            FROM replay_jobs j""";

    /** A letter of a job that is being (or may have been) sent. */
    public record SendingLetter(String jobId, String letterId, Instant sendingAt) {
    }

    /**
     * Creates a job over the {@code dead} letters matching the filter and marks them {@code replaying}, in the
     * caller's transaction; returns the number of letters.
     */
    public int create(Handle h, String id, String kind, String tenant, String createdBy, String filterJson,
                      double rate, LetterFilter filter) {
        h.createUpdate("""
                INSERT INTO replay_jobs (id, kind, tenant, created_by, filter, rate_per_second, state, total)
                VALUES (:id, :kind, :tenant, :createdBy, CAST(:filter AS jsonb), :rate, 'running', 0)""")
                .bind("id", id).bind("kind", kind).bind("tenant", tenant).bind("createdBy", createdBy)
                .bind("filter", filterJson).bind("rate", rate).execute();
        LetterFilter dead = filter.withState(StoredLetter.DEAD);
        Update take = h.createUpdate("""
                WITH taken AS (
                    UPDATE dead_letters d SET state = 'replaying', replay_job_id = :job
                    WHERE d.id IN (SELECT d.id FROM dead_letters d WHERE %s FOR UPDATE)
                      AND d.state = 'dead'
                    RETURNING d.id)
                INSERT INTO replay_job_letters (job_id, letter_id, state) SELECT :job, id, 'pending' FROM taken"""
                .formatted(dead.where()));
        dead.bindings().forEach(take::bind);
        int total = take.bind("job", id).execute();
        h.createUpdate("UPDATE replay_jobs SET total = :total, state = CASE WHEN :total = 0 THEN 'completed' "
                        + "ELSE state END, finished_at = CASE WHEN :total = 0 THEN now() END WHERE id = :id")
                .bind("total", total).bind("id", id).execute();
        return total;
    }

    public Optional<ReplayJob> find(Handle h, String id) {
        return h.createQuery(SELECT + " WHERE j.id = :id").bind("id", id).map(ReplayJob.MAPPER).findOne();
    }

    /** Jobs visible to {@code tenant} (null = all), by id, after {@code after}. */
    public List<ReplayJob> list(Handle h, String tenant, String after, int limit) {
        var q = h.createQuery(SELECT + " WHERE (CAST(:tenant AS text) IS NULL OR j.tenant = :tenant)"
                + (after != null ? " AND j.id > :after" : "") + " ORDER BY j.id LIMIT :limit");
        if (after != null) {
            q.bind("after", after);
        }
        return q.bind("tenant", tenant).bind("limit", limit).map(ReplayJob.MAPPER).list();
    }

    public List<String> runningJobIds(Handle h) {
        return h.createQuery("SELECT id FROM replay_jobs WHERE state = 'running' ORDER BY id")
                .mapTo(String.class).list();
    }

    public int countRunning(Handle h) {
        return h.createQuery("SELECT count(*) FROM replay_jobs WHERE state = 'running'").mapTo(Integer.class).one();
    }

    /**
     * Claims up to {@code count} of the job's pending letters (in letter-id order, marking them {@code sending}) if
     * the job still runs; skips rows another worker holds. Returns the letter ids in order.
     */
    public List<String> claimNext(Handle h, String jobId, int count) {
        return h.createQuery("""
                UPDATE replay_job_letters SET state = 'sending', sending_at = :now
                WHERE job_id = :job AND letter_id IN (
                    SELECT l.letter_id FROM replay_job_letters l JOIN replay_jobs j ON j.id = l.job_id
                    WHERE l.job_id = :job AND l.state = 'pending' AND j.state = 'running'
                    ORDER BY l.letter_id LIMIT :count FOR UPDATE OF l SKIP LOCKED)
                RETURNING letter_id""")
                .bind("job", jobId).bind("count", count).bind("now", java.sql.Timestamp.from(Instant.now()))
                .mapTo(String.class).list().stream().sorted().toList();
    }

    /** Marks many letters of a job {@code sent} at once. */
    public void finishSent(Handle h, String jobId, List<String> letterIds) {
        h.createUpdate("UPDATE replay_job_letters SET state = 'sent', reason = NULL, done_at = now() "
                        + "WHERE job_id = :job AND letter_id = ANY(:letters)")
                .bind("job", jobId).bindArray("letters", String.class, letterIds).execute();
    }

    public void finishLetter(Handle h, String jobId, String letterId, String state, String reason) {
        h.createUpdate("UPDATE replay_job_letters SET state = :state, reason = :reason, done_at = now() "
                        + "WHERE job_id = :job AND letter_id = :letter")
                .bind("state", state).bind("reason", reason).bind("job", jobId).bind("letter", letterId).execute();
    }

    /**
     * Puts a {@code sending} letter that was proven not written back to {@code pending}, or, when its job was
     * cancelled meanwhile, to {@code cancelled} with its dead letter {@code dead} again.
     */
    public void unclaim(Handle h, String jobId, String letterId) {
        boolean running = h.createQuery("SELECT state FROM replay_jobs WHERE id = :job FOR UPDATE")
                .bind("job", jobId).mapTo(String.class).findOne().map(ReplayJob.RUNNING::equals).orElse(false);
        int n = h.createUpdate("UPDATE replay_job_letters SET state = :state, sending_at = NULL, "
                        + "done_at = CASE WHEN :state = 'cancelled' THEN now() END "
                        + "WHERE job_id = :job AND letter_id = :letter AND state = 'sending'")
                .bind("state", running ? "pending" : "cancelled").bind("job", jobId).bind("letter", letterId)
                .execute();
        if (n > 0 && !running) {
            h.createUpdate("UPDATE dead_letters SET state = 'dead' WHERE id = :letter AND state = 'replaying'")
                    .bind("letter", letterId).execute();
        }
    }

    /** Every letter of every job in {@code sending}. */
    public List<SendingLetter> sending(Handle h) {
        return sending(h, null);
    }

    /** The letters of one job ({@code null}: of every job) in {@code sending}. */
    public List<SendingLetter> sending(Handle h, String jobId) {
        var query = h.createQuery("SELECT job_id, letter_id, sending_at FROM replay_job_letters WHERE state = 'sending'"
                + (jobId == null ? "" : " AND job_id = :job"));
        if (jobId != null) {
            query.bind("job", jobId);
        }
        return query.map((rs, ctx) -> new SendingLetter(rs.getString("job_id"), rs.getString("letter_id"),
                        StoredLetter.instant(rs, "sending_at"))).list();
    }

    /** Marks a running job whose letters are all done as completed; true if it did. */
    public boolean completeIfDone(Handle h, String jobId) {
        return h.createUpdate("""
                UPDATE replay_jobs SET state = 'completed', finished_at = now()
                WHERE id = :job AND state = 'running' AND NOT EXISTS (
                    SELECT 1 FROM replay_job_letters WHERE job_id = :job AND state IN ('pending', 'sending'))""")
                .bind("job", jobId).execute() > 0;
    }

    /**
     * Cancels a running job: its pending letters become {@code cancelled} and their dead letters {@code dead}
     * again. A letter being sent right now finishes normally. False if the job was not running.
     */
    public boolean cancel(Handle h, String jobId, String actor) {
        int n = h.createUpdate("UPDATE replay_jobs SET state = 'cancelled', finished_at = now(), cancelled_by = :actor "
                + "WHERE id = :job AND state = 'running'").bind("job", jobId).bind("actor", actor).execute();
        if (n == 0) {
            return false;
        }
        h.createUpdate("""
                WITH cancelled AS (
                    UPDATE replay_job_letters SET state = 'cancelled', done_at = now()
                    WHERE job_id = :job AND state = 'pending' RETURNING letter_id)
                UPDATE dead_letters SET state = 'dead' WHERE id IN (SELECT letter_id FROM cancelled)
                  AND state = 'replaying'""")
                .bind("job", jobId).execute();
        return true;
    }

    /** Every letter of a job with its outcome, for the job's details. */
    public List<java.util.Map<String, Object>> letters(Handle h, String jobId, String state, int limit) {
        return h.createQuery("SELECT letter_id, state, reason, done_at FROM replay_job_letters WHERE job_id = :job"
                        + (state != null ? " AND state = :state" : "") + " ORDER BY letter_id LIMIT :limit")
                .bind("job", jobId).bind("state", state).bind("limit", limit)
                .map((rs, ctx) -> {
                    java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
                    row.put("letter", rs.getString("letter_id"));
                    row.put("state", rs.getString("state"));
                    if (rs.getString("reason") != null) {
                        row.put("reason", rs.getString("reason"));
                    }
                    return row;
                }).list();
    }
}
