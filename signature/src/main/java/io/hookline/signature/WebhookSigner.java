package io.hookline.signature;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the {@code webhook-signature} header: {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one
 * space-separated entry per active secret so receivers keep verifying during a secret rotation.
 */
public final class WebhookSigner {
    static final String ALGORITHM = "HmacSHA256";
    static final String VERSION = "v1";

    private WebhookSigner() {
    }

    public static String sign(String messageId, long timestampSeconds, byte[] body, List<WebhookSecret> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed to sign");
        }
        StringBuilder header = new StringBuilder();
        for (WebhookSecret secret : secrets) {
            if (header.length() > 0) {
                header.append(' ');
            }
            header.append(VERSION).append(',')
                    .append(Base64.getEncoder().encodeToString(hmac(secret, messageId, timestampSeconds, body)));
        }
        return header.toString();
    }

    public static String sign(String messageId, long timestampSeconds, byte[] body, WebhookSecret secret) {
        return sign(messageId, timestampSeconds, body, List.of(secret));
    }

    // Mac.getInstance walks the security providers on every call, which showed up in delivery profiles; one Mac per
    // thread is re-keyed instead (init resets it, so no state leaks between messages).
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            // Every Java 17 runtime ships HmacSHA256; reaching this means a broken JRE.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    static byte[] hmac(WebhookSecret secret, String messageId, long timestampSeconds, byte[] body) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(secret.key(), ALGORITHM));
            mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused a " + secret.key().length + "-byte key", e);
        }
    }
}
