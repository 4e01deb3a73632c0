package io.hookline.common.http;

import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers: status, extra headers and a body with its content type. */
public record HttpResponse(int status, Map<String, String> headers, String contentType, byte[] body) {

    public static HttpResponse json(int status, Object value) {
        return new HttpResponse(status, Map.of(), "application/json", Json.write(value));
    }

    public static HttpResponse noContent() {
        return new HttpResponse(204, Map.of(), null, new byte[0]);
    }

    public static HttpResponse text(int status, String contentType, String body) {
        return new HttpResponse(status, Map.of(), contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse problem(ProblemException e) {
        HttpResponse response = new HttpResponse(e.problem().status(), Map.of(), Problem.CONTENT_TYPE,
                Json.write(e.problem()));
        return e.retryAfterSeconds() == null ? response
                : response.withHeader("retry-after", Integer.toString(e.retryAfterSeconds()));
    }

    public HttpResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpResponse(status, Map.copyOf(copy), contentType, body);
    }
}
