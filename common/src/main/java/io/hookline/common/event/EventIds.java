package io.hookline.common.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Time-ordered unique ids (ULID layout: 48 bits of milliseconds, 80 random bits, Crockford base32), so ids sort
 * by creation time and can be generated on any instance without coordination. Within one millisecond the
 * random part is incremented, keeping ids from one generator strictly increasing.
 */
public final class EventIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static long randomHigh; // 16 bits
    private static long randomLow; // 64 bits

    private EventIds() {
    }

    public static String newEventId() {
        return "evt_" + newUlid();
    }

    /** A ULID with the given prefix, for other resources (subscriptions, keys, dead letters). */
    public static String newId(String prefix) {
        return prefix + newUlid();
    }

    public static synchronized String newUlid() {
        long now = System.currentTimeMillis();
        if (now <= lastMillis) {
            now = lastMillis;
            randomLow++;
            if (randomLow == 0) {
                randomHigh = (randomHigh + 1) & 0xFFFF;
            }
        } else {
            lastMillis = now;
            randomHigh = RANDOM.nextInt(1 << 16);
            randomLow = RANDOM.nextLong();
        }
        return encode(now, randomHigh, randomLow);
    }

    /**
     * An event id that is the same every time it is made from the same {@code name}: the ULID layout with
     * {@code time} as its time part and the first 80 bits of SHA-256({@code name}) as its random part. For events
     * the system may emit twice for one occurrence (after a crash), so that the copies share their id and can be
     * deduplicated like an idempotent publish.
     */
    public static String derivedEventId(long timeMillis, String name) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        long high = ((hash[0] & 0xFFL) << 8) | (hash[1] & 0xFFL);
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = (low << 8) | (hash[i] & 0xFFL);
        }
        return "evt_" + encode(timeMillis, high, low);
    }

    private static String encode(long millis, long high16, long low64) {
        char[] out = new char[26];
        // 48-bit time in 10 chars (the first char carries only 3 significant bits)
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits in 16 chars: high 16 bits followed by low 64 bits
        long low = low64;
        long high = high16;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low = (low >>> 5) | ((high & 31) << 59);
            high >>>= 5;
        }
        return new String(out);
    }
}
