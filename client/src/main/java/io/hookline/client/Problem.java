package io.hookline.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An RFC 9457 problem document as the gateway sent it.
 *
 * @param type     a URI naming the kind of problem (may be null)
 * @param title    a short human-readable summary (may be null)
 * @param status   the HTTP status the problem stands for (0 when the document did not say)
 * @param detail   what went wrong with this request (may be null)
 * @param field    Hookline's extension member naming the request field at fault, e.g. {@code payload.amount}
 *                 (may be null)
 * @param instance a URI identifying this occurrence (may be null)
 */
public record Problem(String type, String title, int status, String detail, String field, String instance) {

    /** Reads a problem from a parsed JSON object; members that are missing or not text are left null. */
    static Problem fromJson(JsonNode node, int fallbackStatus) {
        if (node == null || !node.isObject()) {
            return new Problem(null, null, fallbackStatus, null, null, null);
        }
        JsonNode status = node.get("status");
        return new Problem(text(node, "type"), text(node, "title"),
                status != null && status.canConvertToInt() ? status.asInt() : fallbackStatus,
                text(node, "detail"), text(node, "field"), text(node, "instance"));
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    /** One line for logs and exception messages: {@code 422 Unprocessable content: detail (field x)}. */
    String summary() {
        StringBuilder s = new StringBuilder();
        s.append(status > 0 ? Integer.toString(status) : "error");
        if (title != null) {
            s.append(' ').append(title);
        }
        if (detail != null) {
            s.append(": ").append(detail);
        }
        if (field != null) {
            s.append(" (field ").append(field).append(')');
        }
        return s.toString();
    }
}
