package io.hookline.signature;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Verifies a Standard Webhooks request for a receiver: the timestamp is within the tolerance (default five
 * minutes either way, against replays) and one of the {@code v1} signatures matches one of the secrets.
 * Comparison is constant-time.
 */
public final class WebhookVerifier {
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final List<WebhookSecret> secrets;
    private final Duration tolerance;
    private final Clock clock;

    public WebhookVerifier(WebhookSecret secret) {
        this(List.of(secret), DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    public WebhookVerifier(List<WebhookSecret> secrets, Duration tolerance, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed to verify");
        }
        this.secrets = List.copyOf(secrets);
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Verifies with headers looked up case-insensitively from a map such as a servlet's or the JDK server's. */
    public void verify(Map<String, ? extends List<String>> headers, byte[] body) throws WebhookVerificationException {
        verify(name -> firstHeader(headers, name), body);
    }

    /** Verifies with a header lookup function (name in lower case, null when absent). */
    public void verify(Function<String, String> header, byte[] body) throws WebhookVerificationException {
        verify(header.apply(WebhookHeaders.ID), header.apply(WebhookHeaders.TIMESTAMP),
                header.apply(WebhookHeaders.SIGNATURE), body);
    }

    public void verify(String messageId, String timestamp, String signatureHeader, byte[] body)
            throws WebhookVerificationException {
        if (messageId == null || messageId.isEmpty()) {
            throw new WebhookVerificationException("missing webhook-id header");
        }
        if (timestamp == null || signatureHeader == null) {
            throw new WebhookVerificationException("missing webhook-timestamp or webhook-signature header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new WebhookVerificationException("webhook-timestamp is not a number of seconds");
        }
        long now = clock.instant().getEpochSecond();
        long slack = tolerance.toSeconds();
        // Compared without subtracting from the untrusted value, which could overflow.
        if (seconds < now - slack || seconds > now + slack) {
            throw new WebhookVerificationException("webhook-timestamp is outside the tolerance of " + tolerance);
        }
        for (WebhookSecret secret : secrets) {
            byte[] expected = WebhookSigner.hmac(secret, messageId, seconds, body);
            for (String entry : signatureHeader.trim().split(" +")) {
                int comma = entry.indexOf(',');
                if (comma <= 0 || !WebhookSigner.VERSION.equals(entry.substring(0, comma))) {
                    continue;
                }
                byte[] given;
                try {
                    given = Base64.getDecoder().decode(entry.substring(comma + 1));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (MessageDigest.isEqual(expected, given)) {
                    return;
                }
            }
        }
        throw new WebhookVerificationException("no matching v1 signature");
    }

    private static String firstHeader(Map<String, ? extends List<String>> headers, String name) {
        for (Map.Entry<String, ? extends List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
