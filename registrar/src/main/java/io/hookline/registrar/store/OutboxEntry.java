package io.hookline.registrar.store;

import java.time.Instant;

/** One pending outbox row: a record (or, with a null payload, a tombstone) to publish on a compacted topic. */
public record OutboxEntry(long seq, OutboxChannel channel, String key, byte[] payload, int attempts,
                          Instant createdAt) {
}
