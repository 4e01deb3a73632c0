package io.hookline.common.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A Hookline topic as broadcast on the compacted {@code hookline.topics} topic (key = name, tombstone =
 * deleted), so the gateway knows topics, owners and schemas without a database call.
 */
public record TopicRecord(String name, String tenant, int partitions, String description, JsonNode schema,
                          Instant createdAt) {
}
