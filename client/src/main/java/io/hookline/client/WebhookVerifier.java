package io.hookline.client;

import io.hookline.signature.WebhookHeaders;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Checks that a webhook request came from Hookline, for receivers. Hookline signs every request the Standard
 * Webhooks way: {@code webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">},
 * keyed with the subscription's {@code whsec_…} secret. A request verifies when its timestamp is within the
 * tolerance (default ±5 minutes, against replays) and one of its signatures matches one of the secrets
 * (compared in constant time).
 *
 * <p>During a secret rotation Hookline sends one signature per active secret, so a receiver can switch to the
 * new secret at any time in the grace period; a receiver can also be given both secrets while it rolls out.
 *
 * <p>Verify the <em>raw</em> body bytes as received: a body that was parsed and re-serialised will not verify.
 *
 * <pre>{@code
 * WebhookVerifier verifier = new WebhookVerifier(System.getenv("HOOKLINE_WEBHOOK_SECRET"));
 * try {
 *     WebhookEvent event = verifier.verifyEvent(request.headers(), request.body());
 *     handle(event);                       // dedupe on event.id(): retries carry the same id
 * } catch (InvalidWebhookException e) {
 *     respond(401);                        // not from Hookline, tampered with, or replayed
 * }
 * }</pre>
 *
 * <p>This is a thin facade over {@link io.hookline.signature.WebhookVerifier}, the code Hookline's dispatcher
 * signs with; instances are immutable and thread-safe.
 */
public final class WebhookVerifier {
    /** Five minutes either way, as the Standard Webhooks specification recommends. */
    public static final Duration DEFAULT_TOLERANCE = io.hookline.signature.WebhookVerifier.DEFAULT_TOLERANCE;

    private final io.hookline.signature.WebhookVerifier delegate;

    /**
     * @param secret the subscription's secret, {@code whsec_<base64>} (the bare base64 is accepted too)
     * @throws IllegalArgumentException the secret is malformed
     */
    public WebhookVerifier(String secret) {
        this(List.of(Objects.requireNonNull(secret, "secret")));
    }

    /** Accepts a signature made with any of the secrets (e.g. the old and the new one during a rotation). */
    public WebhookVerifier(List<String> secrets) {
        this(secrets, DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /**
     * @param tolerance how far the {@code webhook-timestamp} may be from the clock, either way
     * @param clock     the receiver's clock (tests pass a fixed one)
     */
    public WebhookVerifier(List<String> secrets, Duration tolerance, Clock clock) {
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(tolerance, "tolerance");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed to verify");
        }
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
        }
        List<WebhookSecret> parsed = new ArrayList<>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            String secret = Objects.requireNonNull(secrets.get(i), "secrets[" + i + "]");
            try {
                parsed.add(WebhookSecret.parse(secret.strip()));
            } catch (IllegalArgumentException e) {
                // The message never contains the secret itself, so it is safe to log.
                throw new IllegalArgumentException(
                        (secrets.size() > 1 ? "secrets[" + i + "]: " : "") + e.getMessage(), e);
            }
        }
        this.delegate = new io.hookline.signature.WebhookVerifier(parsed, tolerance, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Verifies a request given its headers, looked up case-insensitively — e.g. the JDK server's
     * {@code exchange.getRequestHeaders()}, or {@code HttpHeaders.map()}.
     */
    public void verify(Map<String, ? extends List<String>> headers, byte[] body) throws InvalidWebhookException {
        Objects.requireNonNull(headers, "headers");
        verify(name -> firstHeader(headers, name), body);
    }

    /**
     * Verifies a request given a header lookup that returns null for an absent header — e.g. a servlet's
     * {@code request::getHeader}.
     */
    public void verify(Function<String, String> header, byte[] body) throws InvalidWebhookException {
        Objects.requireNonNull(header, "header");
        verify(header.apply(WebhookHeaders.ID), header.apply(WebhookHeaders.TIMESTAMP),
                header.apply(WebhookHeaders.SIGNATURE), body);
    }

    /**
     * Verifies a request given its three Standard Webhooks header values (any may be null when absent).
     *
     * @param id        {@code webhook-id}
     * @param timestamp {@code webhook-timestamp} (unix seconds)
     * @param signature {@code webhook-signature} (space-separated {@code v1,<base64>} entries)
     * @param body      the raw request body
     */
    public void verify(String id, String timestamp, String signature, byte[] body) throws InvalidWebhookException {
        Objects.requireNonNull(body, "body");
        try {
            delegate.verify(id, timestamp, signature, body);
        } catch (WebhookVerificationException e) {
            throw new InvalidWebhookException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // Defence in depth: whatever a hostile request carries, a receiver gets a rejection, not a crash.
            throw new InvalidWebhookException("malformed webhook headers: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Verifies a body the framework already decoded as text (UTF-8). Prefer the byte[] variants. */
    public void verify(Map<String, ? extends List<String>> headers, String body) throws InvalidWebhookException {
        verify(headers, Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    /** Verifies the request, then parses its body into a {@link WebhookEvent}. */
    public WebhookEvent verifyEvent(Map<String, ? extends List<String>> headers, byte[] body)
            throws InvalidWebhookException {
        Objects.requireNonNull(headers, "headers");
        return verifyEvent(name -> firstHeader(headers, name), body);
    }

    /** Verifies the request, then parses its body into a {@link WebhookEvent}. */
    public WebhookEvent verifyEvent(Function<String, String> header, byte[] body) throws InvalidWebhookException {
        Objects.requireNonNull(header, "header");
        String id = header.apply(WebhookHeaders.ID);
        verify(id, header.apply(WebhookHeaders.TIMESTAMP), header.apply(WebhookHeaders.SIGNATURE), body);
        return WebhookEvent.parse(id, body);
    }

    private static String firstHeader(Map<String, ? extends List<String>> headers, String name) {
        for (Map.Entry<String, ? extends List<String>> e : headers.entrySet()) {
            List<String> values = e.getValue();
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && values != null && !values.isEmpty()) {
                return values.get(0);
            }
        }
        return null;
    }
}
