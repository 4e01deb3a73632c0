package io.hookline.common.subscription;

import java.time.Instant;
import java.util.Set;

/**
 * A tenant API key as broadcast on the compacted {@code hookline.api-keys} topic (key = id, tombstone = revoked).
 * Only the SHA-256 of the key travels; the key itself is shown once, at creation.
 */
public record ApiKeyRecord(String id, String tenant, Set<String> scopes, String keyHash, Instant createdAt) {
}
