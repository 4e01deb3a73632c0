package io.hookline.registrar.store;

import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The transactional outbox: changes append rows in the caller's transaction; the relay claims pending rows,
 * publishes them and marks them sent. Rows of one key are claimed strictly in order, one at a time across all
 * registrar instances, so a compacted topic never ends on a stale value.
 */
public final class OutboxRepository {

    public void append(Handle h, OutboxChannel channel, String key, byte[] payload) {
        h.createUpdate("INSERT INTO outbox (channel, record_key, payload) VALUES (:channel, :key, :payload)")
                .bind("channel", channel.wireName())
                .bind("key", key)
                .bind("payload", payload)
                .execute();
    }

    public void subscriptionChanged(Handle h, SubscriptionRecord subscription) {
        append(h, OutboxChannel.SUBSCRIPTIONS, subscription.id(), Json.write(subscription));
    }

    public void subscriptionDeleted(Handle h, String id) {
        append(h, OutboxChannel.SUBSCRIPTIONS, id, null);
    }

    public void topicChanged(Handle h, TopicRecord topic) {
        append(h, OutboxChannel.TOPICS, topic.name(), Json.write(topic));
    }

    public void topicDeleted(Handle h, String name) {
        append(h, OutboxChannel.TOPICS, name, null);
    }

    /** An operational event (an envelope of topic {@code hookline.ops}), keyed like every event: by its Kafka key. */
    public void opsEvent(Handle h, EventEnvelope event) {
        append(h, OutboxChannel.OPS_EVENTS, event.kafkaKey(), Json.write(event));
    }

    public void apiKeyChanged(Handle h, ApiKeyRecord key) {
        append(h, OutboxChannel.API_KEYS, key.id(), Json.write(key));
    }

    public void apiKeyRevoked(Handle h, String id) {
        append(h, OutboxChannel.API_KEYS, id, null);
    }

    /**
     * Locks up to {@code limit} pending rows for publishing, oldest first. A row is only eligible when no older
     * row of the same key is still pending: that one must reach Kafka first, whichever instance holds it, so at
     * most one row per key is in flight. Rows locked by other instances are skipped, not waited for.
     */
    public List<OutboxEntry> claim(Handle h, int limit) {
        return h.createQuery("""
                        SELECT o.seq, o.channel, o.record_key, o.payload, o.attempts, o.created_at
                        FROM outbox o
                        WHERE o.sent_at IS NULL
                          AND NOT EXISTS (SELECT 1 FROM outbox older
                                          WHERE older.sent_at IS NULL AND older.channel = o.channel
                                            AND older.record_key = o.record_key AND older.seq < o.seq)
                        ORDER BY o.seq
                        LIMIT :limit
                        FOR UPDATE OF o SKIP LOCKED""")
                .bind("limit", limit)
                .map((rs, ctx) -> new OutboxEntry(rs.getLong("seq"), OutboxChannel.fromWire(rs.getString("channel")),
                        rs.getString("record_key"), rs.getBytes("payload"), rs.getInt("attempts"),
                        JsonColumns.instant(rs, "created_at")))
                .list();
    }

    public void markSent(Handle h, List<Long> seqs) {
        if (seqs.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL "
                        + "WHERE seq IN (<seqs>)")
                .bindList("seqs", seqs)
                .execute();
    }

    public void markFailed(Handle h, long seq, String error) {
        h.createUpdate("UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE seq = :seq")
                .bind("seq", seq)
                .bind("error", error.length() > 1000 ? error.substring(0, 1000) : error)
                .execute();
    }

    public long pendingCount(Handle h) {
        return h.createQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL").mapTo(Long.class).one();
    }

    /** Deletes rows published before {@code before}; they only serve as a recent audit trail. */
    public int purgeSent(Handle h, Instant before) {
        return h.createUpdate("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < :before")
                .bind("before", JsonColumns.timestamp(before))
                .execute();
    }
}
