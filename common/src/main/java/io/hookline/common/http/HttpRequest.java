package io.hookline.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.common.security.Principal;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A fully received request as a route handler sees it; the body is a private copy, safe on any thread. */
public final class HttpRequest {
    private final String method;
    private final String path;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private Principal principal;

    public HttpRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                       HttpHeaders headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.pathParams = pathParams;
        this.query = query;
        this.headers = headers;
        this.body = body;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return value;
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String header(String name) {
        return headers.get(name);
    }

    public HttpHeaders headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    /**
     * The body as JSON. Requires a JSON content type (415 otherwise) and a non-empty, well-formed document
     * (400 with the parser's location otherwise).
     */
    public JsonNode jsonBody() {
        requireJsonContentType();
        if (body.length == 0) {
            throw ProblemException.badRequest("the request body is empty; a JSON document is required", null);
        }
        try {
            return Json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.malformedJson("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw ProblemException.malformedJson("the body is not valid JSON: " + e.getMessage());
        }
    }

    /** The body as JSON bound to {@code type}; binding errors name the field. */
    public <T> T jsonBody(Class<T> type) {
        JsonNode node = jsonBody();
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse(null);
            throw ProblemException.unprocessable(
                    (field != null ? field + ": " : "") + "has the wrong type", field);
        } catch (JsonProcessingException e) {
            throw ProblemException.malformedJson("the body does not match the expected shape: " + e.getOriginalMessage());
        }
    }

    public void requireJsonContentType() {
        String type = headers.get("content-type");
        if (type == null) {
            throw ProblemException.unsupportedMediaType("content-type must be application/json");
        }
        String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json") && !(base.startsWith("application/") && base.endsWith("+json"))) {
            throw ProblemException.unsupportedMediaType("content-type must be application/json, got " + base);
        }
    }

    public Principal principal() {
        if (principal == null) {
            throw new IllegalStateException("route is not authenticated");
        }
        return principal;
    }

    public void principal(Principal principal) {
        this.principal = principal;
    }
}
