package io.hookline.replayer.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A replay job with its progress counts (letters per job-letter state). */
public record ReplayJob(String id, String kind, String tenant, String createdBy, String filterJson,
                        double ratePerSecond, String state, int total, Instant createdAt, Instant finishedAt,
                        String cancelledBy, int replayed, int failed, int cancelled) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";

    /** Done letters (sent, failed or cancelled) over the total; 1 for an empty job. */
    public double progress() {
        return total == 0 ? 1.0 : (double) (replayed + failed + cancelled) / total;
    }

    static final RowMapper<ReplayJob> MAPPER = new RowMapper<>() {
        @Override
        public ReplayJob map(ResultSet rs, StatementContext ctx) throws SQLException {
            return new ReplayJob(rs.getString("id"), rs.getString("kind"), rs.getString("tenant"),
                    rs.getString("created_by"), rs.getString("filter"), rs.getDouble("rate_per_second"),
                    rs.getString("state"), rs.getInt("total"), StoredLetter.instant(rs, "created_at"),
                    StoredLetter.instant(rs, "finished_at"), rs.getString("cancelled_by"), rs.getInt("replayed"),
                    rs.getInt("failed"), rs.getInt("cancelled"));
        }
    };
}
