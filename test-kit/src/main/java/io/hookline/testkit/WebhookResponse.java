package io.hookline.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the {@link WebhookReceiver} answers: a status, headers and an optional body. */
public record WebhookResponse(int status, Map<String, String> headers, byte[] body) {

    public WebhookResponse {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("Final HTTP status must be 200 to 599: " + status);
        }
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    public static WebhookResponse status(int status) {
        return new WebhookResponse(status, Map.of(), new byte[0]);
    }

    /** A copy with one more header, e.g. {@code Retry-After} for a 429 or {@code Location} for a redirect. */
    public WebhookResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new WebhookResponse(status, more, body);
    }

    public WebhookResponse withBody(String text) {
        return new WebhookResponse(status, headers, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookResponse r && status == r.status && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * status + headers.hashCode()) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return status + " " + headers + " (" + body.length + " bytes)";
    }
}
