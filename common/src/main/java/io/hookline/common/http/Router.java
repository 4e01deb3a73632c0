package io.hookline.common.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Maps method and path templates ({@code /v1/topics/{name}}) to handlers. Plain {@link Handler}s may block
 * (database calls) and run on the server's worker pool; {@link AsyncHandler}s run on the event loop and must
 * not block (the gateway's publish path answers when Kafka acknowledges).
 */
public final class Router {

    @FunctionalInterface
    public interface Handler {
        HttpResponse handle(HttpRequest request) throws Exception;
    }

    @FunctionalInterface
    public interface AsyncHandler {
        CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception;
    }

    /** A resolved route: the handler, whether it may block, and the template (a low-cardinality metric tag). */
    public record Match(AsyncHandler handler, boolean blocking, String template, Map<String, String> pathParams) {
    }

    private record Route(String method, String template, String[] segments, AsyncHandler handler, boolean blocking) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router get(String template, Handler handler) {
        return add("GET", template, handler);
    }

    public Router post(String template, Handler handler) {
        return add("POST", template, handler);
    }

    public Router put(String template, Handler handler) {
        return add("PUT", template, handler);
    }

    public Router patch(String template, Handler handler) {
        return add("PATCH", template, handler);
    }

    public Router delete(String template, Handler handler) {
        return add("DELETE", template, handler);
    }

    public Router add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template),
                request -> CompletableFuture.completedFuture(handler.handle(request)), true));
        return this;
    }

    public Router addAsync(String method, String template, AsyncHandler handler) {
        routes.add(new Route(method, template, split(template), handler, false));
        return this;
    }

    /**
     * Finds the route for a request; throws 404 when no template matches the path and 405 when one matches
     * with another method.
     */
    public Match match(String method, String path) {
        String[] parts = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), parts);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route.handler(), route.blocking(), route.template(), params);
            }
            allowed.add(route.method());
        }
        if (!allowed.isEmpty()) {
            throw ProblemException.methodNotAllowed(method + " is not supported here; use " + String.join(", ", allowed));
        }
        throw ProblemException.notFound("no such resource: " + path);
    }

    private static Map<String, String> bind(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
