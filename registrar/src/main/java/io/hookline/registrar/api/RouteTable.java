package io.hookline.registrar.api;

import io.hookline.common.http.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * The registrar's routes: registers handlers on a {@link Router} and remembers each {@code METHOD template}, so
 * a test can hold the OpenAPI description against what is really served.
 */
public final class RouteTable {
    private final Router router = new Router();
    private final List<String> endpoints = new ArrayList<>();

    public RouteTable get(String template, Router.Handler handler) {
        return add("GET", template, handler);
    }

    public RouteTable post(String template, Router.Handler handler) {
        return add("POST", template, handler);
    }

    public RouteTable patch(String template, Router.Handler handler) {
        return add("PATCH", template, handler);
    }

    public RouteTable delete(String template, Router.Handler handler) {
        return add("DELETE", template, handler);
    }

    private RouteTable add(String method, String template, Router.Handler handler) {
        router.add(method, template, handler);
        endpoints.add(method + " " + template);
        return this;
    }

    public Router router() {
        return router;
    }

    /** Every registered {@code METHOD /template}, in registration order. */
    public List<String> endpoints() {
        return List.copyOf(endpoints);
    }
}
