package io.hookline.registrar.api;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Scope;
import io.hookline.registrar.outbox.StateRepublisher;

/**
 * Operator endpoints (admin key only). {@code POST /v1/admin/republish} queues every API key, topic and
 * subscription for re-publication to the compacted topics, e.g. after the Kafka cluster was replaced; the same
 * happens at start-up with {@code HOOKLINE_REPUBLISH_ON_START=true}.
 */
public final class AdminRoutes {
    private final ApiKeyDirectory auth;
    private final StateRepublisher republisher;

    public AdminRoutes(ApiKeyDirectory auth, StateRepublisher republisher) {
        this.auth = auth;
        this.republisher = republisher;
    }

    public void register(RouteTable router) {
        router.post("/v1/admin/republish", this::republish);
    }

    HttpResponse republish(HttpRequest request) {
        if (!auth.require(request, Scope.MANAGE).admin()) {
            throw ProblemException.forbidden("only the admin key may re-publish the registry");
        }
        StateRepublisher.Counts counts = republisher.republishAll();
        return HttpResponse.json(202, counts);
    }
}
