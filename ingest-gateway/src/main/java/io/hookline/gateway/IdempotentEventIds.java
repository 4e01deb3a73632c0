package io.hookline.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Event ids for publishes that carry an idempotency key: derived from (tenant, key) alone, so every gateway
 * instance, before and after a restart, gives a retried publish the same id without asking any store. The fan-out
 * stage then delivers an event id at most once per subscription within its dedupe window (24 h), which is what
 * makes the publish idempotent end to end.
 *
 * <p>The id has the shape of every other event id ({@code evt_} + 26 Crockford base32 characters, the first one
 * 0-7), so nothing downstream needs to tell the two kinds apart; only these ids are not time-ordered. The tenant is
 * part of the hash, so two tenants using the same key get different events.
 */
public final class IdempotentEventIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /** Domain separation: changing the derivation later must not collide with ids from this version. */
    private static final byte[] DOMAIN = "hookline/idempotent-event-id/v1".getBytes(StandardCharsets.UTF_8);

    private IdempotentEventIds() {
    }

    public static String eventId(String tenant, String idempotencyKey) {
        MessageDigest sha = sha256();
        sha.update(DOMAIN);
        sha.update((byte) 0);
        sha.update(tenant.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(idempotencyKey.getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha.digest();
        // 128 bits of the digest, written as a ULID is (130 bits in 26 characters, the top two bits zero).
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (digest[i] & 0xFF);
            low = (low << 8) | (digest[i + 8] & 0xFF);
        }
        char[] out = new char[26];
        for (int i = 25; i >= 0; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low = (low >>> 5) | ((high & 31) << 59);
            high >>>= 5;
        }
        return "evt_" + new String(out);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
