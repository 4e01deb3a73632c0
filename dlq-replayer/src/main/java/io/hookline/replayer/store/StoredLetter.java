package io.hookline.replayer.store;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A row of the dead-letter index. {@code letterJson} is the dead letter as read from {@code hookline.dlq}. */
public record StoredLetter(String id, String tenant, String subscriptionId, String topic, String eventId,
                           String reason, Integer lastStatus, int attemptCount, Instant firstAttemptAt,
                           Instant lastAttemptAt, Instant deadAt, String letterJson, String state,
                           Instant replayedAt, String replayJobId, Instant discardedAt, String discardedBy,
                           Instant indexedAt) {

    public static final String DEAD = "dead";
    public static final String REPLAYING = "replaying";
    public static final String REPLAYED = "replayed";
    public static final String DISCARDED = "discarded";

    public DeadLetter letter() {
        return Json.read(letterJson.getBytes(StandardCharsets.UTF_8), DeadLetter.class);
    }

    static final RowMapper<StoredLetter> MAPPER = new RowMapper<>() {
        @Override
        public StoredLetter map(ResultSet rs, StatementContext ctx) throws SQLException {
            int status = rs.getInt("last_status");
            Integer lastStatus = rs.wasNull() ? null : status;
            return new StoredLetter(rs.getString("id"), rs.getString("tenant"), rs.getString("subscription_id"),
                    rs.getString("topic"), rs.getString("event_id"), rs.getString("reason"), lastStatus,
                    rs.getInt("attempt_count"), instant(rs, "first_attempt_at"), instant(rs, "last_attempt_at"),
                    instant(rs, "dead_at"), rs.getString("letter"), rs.getString("state"),
                    instant(rs, "replayed_at"), rs.getString("replay_job_id"), instant(rs, "discarded_at"),
                    rs.getString("discarded_by"), instant(rs, "indexed_at"));
        }
    };

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
