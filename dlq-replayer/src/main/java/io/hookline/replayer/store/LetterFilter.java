package io.hookline.replayer.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which dead letters a list or a replay job covers; null members do not restrict. {@code tenant} null = every
 * tenant (the admin key only). Times compare with the moment the letter died.
 */
public record LetterFilter(String tenant, String subscription, String topic, String reason, Integer status,
                           String state, Instant since, Instant until, String id) {

    public static LetterFilter ofLetter(String tenant, String id) {
        return new LetterFilter(tenant, null, null, null, null, null, null, null, id);
    }

    public LetterFilter withState(String newState) {
        return new LetterFilter(tenant, subscription, topic, reason, status, newState, since, until, id);
    }

    /** The SQL condition (on table alias {@code d}) and its named bindings. */
    public Map<String, Object> bindings() {
        Map<String, Object> b = new LinkedHashMap<>();
        put(b, "f_tenant", tenant);
        put(b, "f_subscription", subscription);
        put(b, "f_topic", topic);
        put(b, "f_reason", reason);
        put(b, "f_status", status);
        put(b, "f_state", state);
        put(b, "f_since", since == null ? null : java.sql.Timestamp.from(since));
        put(b, "f_until", until == null ? null : java.sql.Timestamp.from(until));
        put(b, "f_id", id);
        return b;
    }

    public String where() {
        StringBuilder sql = new StringBuilder("TRUE");
        if (tenant != null) {
            sql.append(" AND d.tenant = :f_tenant");
        }
        if (subscription != null) {
            sql.append(" AND d.subscription_id = :f_subscription");
        }
        if (topic != null) {
            sql.append(" AND d.topic = :f_topic");
        }
        if (reason != null) {
            sql.append(" AND d.reason = :f_reason");
        }
        if (status != null) {
            sql.append(" AND d.last_status = :f_status");
        }
        if (state != null) {
            sql.append(" AND d.state = :f_state");
        }
        if (since != null) {
            sql.append(" AND d.dead_at >= :f_since");
        }
        if (until != null) {
            sql.append(" AND d.dead_at < :f_until");
        }
        if (id != null) {
            sql.append(" AND d.id = :f_id");
        }
        return sql.toString();
    }

    /** The filter as a JSON-friendly map (what a job shows it was created with). */
    public Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        put(v, "tenant", tenant);
        put(v, "subscription", subscription);
        put(v, "topic", topic);
        put(v, "reason", reason);
        put(v, "status", status);
        put(v, "since", since);
        put(v, "until", until);
        put(v, "id", id);
        return v;
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
