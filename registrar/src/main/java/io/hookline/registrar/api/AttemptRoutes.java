package io.hookline.registrar.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.event.AttemptRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.AttemptRepository;
import io.hookline.registrar.store.SubscriptionRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A subscription's delivery history ({@code GET /v1/subscriptions/{id}/attempts}, newest first, cursor-paginated,
 * filterable by {@code outcome} and {@code eventId}) and its health ({@code GET .../health}: last success and
 * failure, consecutive failures, success rate and latency percentiles over {@code ?window=}, default 24 h).
 */
public final class AttemptRoutes {
    private static final Pattern CURSOR = Pattern.compile("(\\d{1,19}):(att_[0-9A-Za-z_-]{1,60}|[^:\\s]{1,100})");
    private static final List<String> OUTCOMES = List.of("success", "retryable", "gone", "permanent");
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    private final ApiKeyDirectory auth;
    private final ServiceDatabase database;
    private final SubscriptionRepository subscriptions;
    private final AttemptRepository attempts;
    private final Duration retention;

    public AttemptRoutes(ApiKeyDirectory auth, ServiceDatabase database, SubscriptionRepository subscriptions,
                         AttemptRepository attempts, Duration retention) {
        this.auth = auth;
        this.database = database;
        this.subscriptions = subscriptions;
        this.attempts = attempts;
        this.retention = retention;
    }

    public void register(RouteTable router) {
        router.get("/v1/subscriptions/{id}/attempts", this::list);
        router.get("/v1/subscriptions/{id}/health", this::health);
    }

    HttpResponse list(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = SubscriptionRoutes.subscriptionId(request);
        String outcome = emptyToNull(request.query("outcome"));
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw ProblemException.badRequest("outcome: must be one of " + String.join(", ", OUTCOMES), "outcome");
        }
        String eventId = emptyToNull(request.query("eventId"));
        if (eventId != null && (eventId.length() > 100 || eventId.indexOf('\u0000') >= 0)) {
            throw ProblemException.badRequest("eventId: is not an event id", "eventId");
        }
        int limit = ListCursor.limit(request.query("limit"));
        AttemptRepository.Position after = position(ListCursor.decode(request.query("cursor")));
        List<AttemptRecord> rows = database.read(h -> {
            visible(h, principal, id);
            return attempts.page(h, id, outcome, eventId, after, limit + 1);
        });
        return HttpResponse.json(200, ListCursor.page(rows, limit,
                a -> ChronoUnit.MICROS.between(Instant.EPOCH, a.startedAt()) + ":" + a.id(), AttemptRoutes::view));
    }

    HttpResponse health(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = SubscriptionRoutes.subscriptionId(request);
        Duration window = window(request.query("window"));
        Instant now = Instant.now();
        AttemptRepository.Health health = database.read(h -> {
            visible(h, principal, id);
            return attempts.health(h, id, now.minus(window));
        });
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("subscriptionId", id);
        view.put("window", request.query("window") == null ? "24h" : request.query("window"));
        view.put("attempts", health.attempts());
        view.put("successes", health.successes());
        view.put("failures", health.attempts() - health.successes());
        view.put("successRate", health.attempts() == 0 ? null : (double) health.successes() / health.attempts());
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", health.p50LatencyMs());
        latency.put("p99", health.p99LatencyMs());
        view.put("latencyMs", health.attempts() == 0 ? null : latency);
        view.put("consecutiveFailures", health.consecutiveFailures());
        view.put("lastSuccessAt", health.lastSuccessAt());
        view.put("lastFailureAt", health.lastFailureAt());
        if (health.lastFailure() != null) {
            view.put("lastFailure", view(health.lastFailure()));
        }
        return HttpResponse.json(200, view);
    }

    private void visible(org.jdbi.v3.core.Handle h, Principal principal, String id) {
        TenantAccess.visible(principal, subscriptions.find(h, id), SubscriptionRecord::tenant,
                SubscriptionRoutes.notFound(id));
    }

    private Duration window(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_WINDOW;
        }
        Duration window;
        try {
            window = ConfigDef.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("window: must be a duration such as 15m, 24h or 7d", "window");
        }
        if (window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(retention) > 0) {
            throw ProblemException.badRequest("window: must be between 1m and the history kept ("
                    + retention.toDays() + "d)", "window");
        }
        return window;
    }

    private static AttemptRepository.Position position(String cursor) {
        if (cursor == null) {
            return null;
        }
        var m = CURSOR.matcher(cursor);
        if (!m.matches()) {
            throw ProblemException.badRequest("cursor: is not a cursor returned by this API (pass nextCursor as is)",
                    "cursor");
        }
        long micros = Long.parseLong(m.group(1));
        return new AttemptRepository.Position(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), m.group(2));
    }

    static Map<String, Object> view(AttemptRecord a) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", a.id());
        view.put("eventId", a.eventId());
        view.put("topic", a.topic());
        view.put("attempt", a.attempt());
        view.put("url", a.url());
        view.put("startedAt", a.startedAt());
        view.put("latencyMs", a.latencyMs());
        view.put("outcome", a.outcome());
        view.put("statusCode", a.statusCode());
        view.put("error", a.error());
        view.put("retryAfterMs", a.retryAfterMs());
        view.put("responseExcerpt", a.responseExcerpt());
        return view;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
