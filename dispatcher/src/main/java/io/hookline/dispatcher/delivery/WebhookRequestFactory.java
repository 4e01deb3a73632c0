package io.hookline.dispatcher.delivery;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.http.HeaderSyntax;
import io.hookline.common.json.IsoInstants;
import io.hookline.common.json.Json;
import io.hookline.common.json.RawJson;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.signature.WebhookHeaders;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
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
 * {@code hookline-subscription} and the subscription's custom headers. What depends only on the subscription (its
 * parsed URL, decrypted secrets, filtered custom headers) is prepared once per subscription version and kept in
 * memory, not per request; the event's payload is copied into the body as the bytes it arrived as when it is
 * {@link RawJson}.
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

    /**
     * What one subscription record needs on every request (compared by identity: a new record means preparing
     * again). A record that cannot be prepared keeps its error, so every request fails the same way cheaply.
     */
    private record Prepared(SubscriptionRecord record, URI url, List<DecryptedSecret> secrets,
                            List<Map.Entry<String, String>> customHeaders, String error) {
    }

    private static final byte[] TYPE = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIMESTAMP = "\",\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\",\"data\":".getBytes(StandardCharsets.US_ASCII);

    private final SecretCipher cipher;
    private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();

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
        Prepared ready = prepare(subscription);
        if (ready.error() != null) {
            throw new IllegalArgumentException(ready.error());
        }
        EventEnvelope event = task.event();
        Instant at = event.occurredAt() != null ? event.occurredAt()
                : event.receivedAt() != null ? event.receivedAt() : now;
        byte[] bytes = body(event.topic(), IsoInstants.format(at), event.payload() instanceof RawJson raw
                ? raw.bytes() : Json.write(event.payload()));
        long timestamp = now.getEpochSecond();
        String signature = WebhookSigner.sign(event.id(), timestamp, bytes, signingSecrets(ready, now));

        List<Map.Entry<String, String>> headers = new ArrayList<>(7 + ready.customHeaders().size());
        headers.add(header("content-type", "application/json"));
        headers.add(header("user-agent", USER_AGENT));
        headers.add(header(WebhookHeaders.ID, event.id()));
        headers.add(header(WebhookHeaders.TIMESTAMP, Long.toString(timestamp)));
        headers.add(header(WebhookHeaders.SIGNATURE, signature));
        headers.add(header(ATTEMPT_HEADER, Integer.toString(task.attempt())));
        headers.add(header(SUBSCRIPTION_HEADER, subscription.id()));
        headers.addAll(ready.customHeaders());
        return new WebhookRequest(ready.url(), Collections.unmodifiableList(headers), bytes,
                Duration.ofMillis(subscription.timeoutMsOrDefault()));
    }

    /** {@code {"type":<topic>,"timestamp":<at>,"data":<payload>}}, written straight into one array. */
    private static byte[] body(String topic, String at, byte[] payload) {
        byte[] type = JsonStringEncoder.getInstance().quoteAsUTF8(topic);
        int length = TYPE.length + type.length + TIMESTAMP.length + at.length() + DATA.length + payload.length + 1;
        byte[] out = new byte[length];
        int i = put(out, 0, TYPE);
        i = put(out, i, type);
        i = put(out, i, TIMESTAMP);
        for (int c = 0; c < at.length(); c++) {
            out[i++] = (byte) at.charAt(c); // ISO-8601 is ASCII
        }
        i = put(out, i, DATA);
        i = put(out, i, payload);
        out[i] = '}';
        return out;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private Prepared prepare(SubscriptionRecord subscription) {
        Prepared cached = prepared.get(subscription.id());
        if (cached != null && cached.record() == subscription) {
            return cached;
        }
        Prepared fresh;
        try {
            fresh = new Prepared(subscription, parseUrl(subscription.url()), decrypt(subscription),
                    customHeaders(subscription), null);
        } catch (IllegalArgumentException e) {
            fresh = new Prepared(subscription, null, List.of(), List.of(), e.getMessage());
        }
        prepared.put(subscription.id(), fresh);
        return fresh;
    }

    /**
     * The subscription's custom headers minus the reserved ones. The registrar accepts only valid names and values;
     * checking again here keeps a record that reached the topic another way from injecting header lines.
     */
    private static List<Map.Entry<String, String>> customHeaders(SubscriptionRecord subscription) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (subscription.headers() != null) {
            subscription.headers().forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!RESERVED.contains(lower) && !lower.startsWith("webhook-") && !lower.startsWith("hookline-")
                        && value != null) {
                    if (!HeaderSyntax.isName(name)) {
                        throw new IllegalArgumentException("custom header name '" + name + "' of subscription "
                                + subscription.id() + " is not a valid HTTP header name");
                    }
                    if (!HeaderSyntax.isValue(value)) {
                        throw new IllegalArgumentException("custom header " + lower + " of subscription "
                                + subscription.id() + " has a value with control or non-Latin-1 characters");
                    }
                    out.add(header(lower, value));
                }
            });
        }
        return List.copyOf(out);
    }

    private static List<WebhookSecret> signingSecrets(Prepared ready, Instant now) {
        SubscriptionRecord subscription = ready.record();
        List<WebhookSecret> active = new ArrayList<>(ready.secrets().size());
        for (DecryptedSecret s : ready.secrets()) {
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

    /** Drops what was prepared for a subscription this instance no longer serves. */
    public void forget(String subscriptionId) {
        prepared.remove(subscriptionId);
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
