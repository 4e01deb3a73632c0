package io.hookline.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One request as the {@link WebhookReceiver} got it.
 *
 * @param sequence 1 for the first request since start or {@link WebhookReceiver#reset()}, then 2, 3, ...
 * @param path the raw (still percent-encoded) path
 * @param query the raw query string, or null
 * @param headers header names lower-cased, values in arrival order
 * @param receivedAt when the body had been read, before the response
 */
public record RecordedRequest(int sequence, String method, String path, String query,
        Map<String, List<String>> headers, byte[] body, Instant receivedAt) {

    public RecordedRequest {
        headers = headers.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a header (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a header (any case); empty if absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordedRequest r && sequence == r.sequence && method.equals(r.method)
                && path.equals(r.path) && Objects.equals(query, r.query) && headers.equals(r.headers)
                && Arrays.equals(body, r.body) && receivedAt.equals(r.receivedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, method, path, query, headers, Arrays.hashCode(body), receivedAt);
    }

    @Override
    public String toString() {
        String text = bodyAsString();
        return "#" + sequence + " " + method + " " + path + (query == null ? "" : "?" + query) + " " + headers
                + " body=" + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
}
