package io.hookline.dispatcher.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.signature.WebhookHeaders;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the request receivers get (DESIGN.md section 5): body {@code {"type","timestamp","data"}}, the Standard
 * Webhooks headers (one {@code v1} signature per secret that signs at send time, so receivers keep verifying
 * through a rotation), {@code content-type}, {@code user-agent}, {@code hookline-attempt},
 * {@code hookline-subscription} and the subscription's custom headers. Secrets are decrypted once per subscription
 * version and kept in memory, not per request.
 */
public final class WebhookRequestFactory {
    public static final String USER_AGENT = "Hookline/" + version();
    public static final String ATTEMPT_HEADER = "hookline-attempt";
    public static final String SUBSCRIPTION_HEADER = "hookline-subscription";

    /** Headers a subscription's custom headers cannot set: they carry the protocol and the signature. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "content-type", "transfer-encoding",
            "connection", "user-agent", "te", "upgrade", "expect", "keep-alive", "proxy-connection", "trailer");

    private record DecryptedSecret(WebhookSecret secret, Instant expiresAt) {
    }

    /** Decrypted secrets of one subscription record (compared by identity: a new record means re-decrypting). */
    private record CachedSecrets(SubscriptionRecord record, List<DecryptedSecret> secrets) {
    }

    private final SecretCipher cipher;
    private final Map<String, CachedSecrets> secrets = new ConcurrentHashMap<>();

    public WebhookRequestFactory(SecretCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * The request for {@code task} to {@code subscription} as it is now.
     *
     * @throws IllegalArgumentException when it cannot be built (bad URL, secret not decryptable, no signing
     *                                  secret): retrying would not help
     */
    public WebhookRequest build(DeliveryTask task, SubscriptionRecord subscription, Instant now) {
        URI url = parseUrl(subscription.url());
        EventEnvelope event = task.event();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", event.topic());
        Instant at = event.occurredAt() != null ? event.occurredAt()
                : event.receivedAt() != null ? event.receivedAt() : now;
        body.put("timestamp", at.toString());
        body.set("data", event.payload());
        byte[] bytes = Json.write(body);
        long timestamp = now.getEpochSecond();
        String signature = WebhookSigner.sign(event.id(), timestamp, bytes, signingSecrets(subscription, now));

        List<Map.Entry<String, String>> headers = new ArrayList<>(8 + sizeOf(subscription.headers()));
        headers.add(header("content-type", "application/json"));
        headers.add(header("user-agent", USER_AGENT));
        headers.add(header(WebhookHeaders.ID, event.id()));
        headers.add(header(WebhookHeaders.TIMESTAMP, Long.toString(timestamp)));
        headers.add(header(WebhookHeaders.SIGNATURE, signature));
        headers.add(header(ATTEMPT_HEADER, Integer.toString(task.attempt())));
        headers.add(header(SUBSCRIPTION_HEADER, subscription.id()));
        if (subscription.headers() != null) {
            subscription.headers().forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!RESERVED.contains(lower) && !lower.startsWith("webhook-") && !lower.startsWith("hookline-")
                        && value != null) {
                    headers.add(header(lower, value));
                }
            });
        }
        return new WebhookRequest(url, List.copyOf(headers), bytes,
                Duration.ofMillis(subscription.timeoutMsOrDefault()));
    }

    private List<WebhookSecret> signingSecrets(SubscriptionRecord subscription, Instant now) {
        CachedSecrets cached = secrets.get(subscription.id());
        if (cached == null || cached.record() != subscription) {
            cached = new CachedSecrets(subscription, decrypt(subscription));
            secrets.put(subscription.id(), cached);
        }
        List<WebhookSecret> active = new ArrayList<>(cached.secrets().size());
        for (DecryptedSecret s : cached.secrets()) {
            if (s.expiresAt() == null || s.expiresAt().isAfter(now)) {
                active.add(s.secret());
            }
        }
        if (active.isEmpty()) {
            throw new IllegalArgumentException("subscription " + subscription.id() + " has no active signing secret");
        }
        return active;
    }

    private List<DecryptedSecret> decrypt(SubscriptionRecord subscription) {
        List<DecryptedSecret> out = new ArrayList<>();
        if (subscription.secrets() == null) {
            return out;
        }
        for (SubscriptionRecord.SigningSecret secret : subscription.secrets()) {
            try {
                out.add(new DecryptedSecret(WebhookSecret.parse(cipher.decrypt(secret.encrypted())),
                        secret.expiresAt()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("signing secret of subscription " + subscription.id()
                        + " is unusable: " + e.getMessage());
            }
        }
        return out;
    }

    /** Drops the cached secrets of a subscription this instance no longer serves. */
    public void forget(String subscriptionId) {
        secrets.remove(subscriptionId);
    }

    private static URI parseUrl(String url) {
        if (url == null) {
            throw new IllegalArgumentException("subscription has no url");
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("url must be http(s) with a host: " + url);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url is not valid: " + e.getMessage());
        }
    }

    private static int sizeOf(Map<String, String> map) {
        return map == null ? 0 : map.size();
    }

    private static Map.Entry<String, String> header(String name, String value) {
        return new SimpleImmutableEntry<>(name, value);
    }

    private static String version() {
        try (InputStream in = WebhookRequestFactory.class.getResourceAsStream("/io/hookline/dispatcher/version.properties")) {
            if (in != null) {
                Properties props = new Properties();
                props.load(in);
                String version = props.getProperty("version");
                if (version != null && !version.isBlank() && !version.startsWith("${")) {
                    return version.trim();
                }
            }
        } catch (IOException e) {
            // fall through: the user-agent still says Hookline
        }
        return "dev";
    }
}
