package io.hookline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Reads the gateway's JSON answers, tolerating whatever a proxy in between might send instead. */
final class ResponseBodies {
    private static final int SNIPPET_CHARS = 200;

    private ResponseBodies() {
    }

    /** The body as JSON, or null when it is empty or not JSON. */
    static JsonNode json(HttpResponse<byte[]> response, ObjectMapper mapper) {
        byte[] body = response.body();
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The problem document of an error response; one is made up from the status when the body is not one. */
    static Problem problem(HttpResponse<byte[]> response, ObjectMapper mapper) {
        JsonNode json = json(response, mapper);
        int status = response.statusCode();
        if (json != null && json.isObject()) {
            Problem p = Problem.fromJson(json, status);
            // The HTTP status is authoritative; a body claiming another one would mislead the caller.
            return p.status() == status ? p : new Problem(p.type(), p.title(), status, p.detail(), p.field(), p.instance());
        }
        return new Problem(null, "HTTP " + status, status, snippet(response.body()), null, null);
    }

    static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        String text = new String(body, 0, Math.min(body.length, SNIPPET_CHARS * 4), StandardCharsets.UTF_8).strip();
        if (text.length() > SNIPPET_CHARS) {
            text = text.substring(0, SNIPPET_CHARS) + "…";
        }
        return text.replaceAll("[\\r\\n\\t]+", " ");
    }
}
