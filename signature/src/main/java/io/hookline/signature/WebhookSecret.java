package io.hookline.signature;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A Standard Webhooks signing secret: {@code whsec_} followed by the base64 of 24 to 64 random bytes.
 * Receivers that use any Standard Webhooks library can verify with the same string.
 */
public final class WebhookSecret {
    public static final String PREFIX = "whsec_";
    public static final int MIN_BYTES = 24;
    public static final int MAX_BYTES = 64;
    private static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private WebhookSecret(byte[] key) {
        this.key = key;
    }

    public static WebhookSecret generate() {
        byte[] key = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(key);
        return new WebhookSecret(key);
    }

    /**
     * Parses {@code whsec_<base64>}. The prefix is optional, as in the reference libraries, so a receiver
     * can paste the bare base64 part too.
     */
    public static WebhookSecret parse(String text) {
        Objects.requireNonNull(text, "secret");
        String encoded = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret is not valid base64 after the whsec_ prefix");
        }
        if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "secret must encode " + MIN_BYTES + " to " + MAX_BYTES + " bytes, got " + key.length);
        }
        return new WebhookSecret(key);
    }

    byte[] key() {
        return key;
    }

    /** The shareable form, {@code whsec_<base64>}. */
    @Override
    public String toString() {
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookSecret other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }
}
