package io.hookline.dispatcher.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A signed webhook ready to send: {@code POST url} with these headers and body, answered within {@code timeout}.
 *
 * @param headers in sending order; names in lower case
 */
public record WebhookRequest(URI url, List<Map.Entry<String, String>> headers, byte[] body, Duration timeout) {

    /** The first value of a header, or null; for tests and logs. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }
}
