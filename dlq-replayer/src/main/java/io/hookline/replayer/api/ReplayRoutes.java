package io.hookline.replayer.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventIds;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.http.Router;
import io.hookline.common.json.Json;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.replay.ReplayRunner;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.LetterFilter;
import io.hookline.replayer.store.ReplayJob;
import io.hookline.replayer.store.ReplayJobRepository;
import io.hookline.replayer.store.StoredLetter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Replays: one letter ({@code POST /v1/dead-letters/{id}/replay}, a one-letter job that the request waits for),
 * jobs over a filter ({@code POST /v1/replays}, {@code GET /v1/replays[/{id}]}, {@code POST /v1/replays/{id}/cancel})
 * and the recover shortcut ({@code POST /v1/subscriptions/{id}/recover {"since"}}).
 */
public final class ReplayRoutes {
    private final ApiKeyDirectory directory;
    private final ServiceDatabase database;
    private final DeadLetterRepository letters;
    private final ReplayJobRepository jobs;
    private final ReplayRunner runner;
    private final Function<String, Optional<SubscriptionRecord>> subscriptions;
    private final double defaultRate;
    private final double maxRate;
    private final Duration singleWait;

    public ReplayRoutes(ApiKeyDirectory directory, ServiceDatabase database, DeadLetterRepository letters,
                        ReplayJobRepository jobs, ReplayRunner runner,
                        Function<String, Optional<SubscriptionRecord>> subscriptions, double defaultRate,
                        double maxRate, Duration singleWait) {
        this.directory = directory;
        this.database = database;
        this.letters = letters;
        this.jobs = jobs;
        this.runner = runner;
        this.subscriptions = subscriptions;
        this.defaultRate = defaultRate;
        this.maxRate = maxRate;
        this.singleWait = singleWait;
    }

    public void register(Router router) {
        router.post("/v1/dead-letters/{id}/replay", this::replayOne);
        router.post("/v1/replays", this::createJob);
        router.get("/v1/replays", this::listJobs);
        router.get("/v1/replays/{id}", this::getJob);
        router.post("/v1/replays/{id}/cancel", this::cancelJob);
        router.post("/v1/subscriptions/{id}/recover", this::recover);
    }

    private HttpResponse replayOne(HttpRequest request) throws InterruptedException {
        Principal principal = directory.require(request, Scope.REPLAY);
        String id = request.pathParam("id");
        String jobId = EventIds.newId("rpl_");
        database.transaction(h -> {
            StoredLetter letter = DeadLetterRoutes.visible(principal, id, letters.findForUpdate(h, id).orElse(null));
            switch (letter.state()) {
                case StoredLetter.DEAD -> { }
                case StoredLetter.DISCARDED -> throw ProblemException.conflict("dead letter " + id
                        + " was discarded at " + letter.discardedAt() + " by " + letter.discardedBy()
                        + "; it cannot be replayed");
                case StoredLetter.REPLAYING -> throw ProblemException.conflict("dead letter " + id
                        + " is being replayed by job " + letter.replayJobId());
                default -> throw ProblemException.conflict("dead letter " + id + " was already replayed at "
                        + letter.replayedAt() + " (job " + letter.replayJobId() + ")");
            }
            String problem = subscriptionProblem(letter.subscriptionId());
            if (problem != null) {
                throw ProblemException.conflict("dead letter " + id + " cannot be replayed: " + problem);
            }
            LetterFilter one = LetterFilter.ofLetter(letter.tenant(), id);
            jobs.create(h, jobId, "single", principal.admin() ? null : principal.tenant(),
                    DeadLetterRoutes.actor(principal), Json.writeString(one.view()), maxRate, one);
            letters.audit(h, letter, "replay", DeadLetterRoutes.actor(principal), "job " + jobId);
            return null;
        });
        try {
            runner.launch(jobId).get(singleWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Still being written (or Kafka is slow): the job finishes it; answer with where to look.
            return HttpResponse.json(202, Map.of("id", id, "replayJob", jobId, "state", StoredLetter.REPLAYING));
        }
        StoredLetter after = database.read(h -> letters.find(h, id)).orElseThrow();
        if (!StoredLetter.REPLAYED.equals(after.state())) {
            List<Map<String, Object>> outcome = database.read(h -> jobs.letters(h, jobId, null, 1));
            if (after.state().equals(StoredLetter.DEAD)) {
                throw ProblemException.conflict("dead letter " + id + " was not replayed: "
                        + (outcome.isEmpty() ? "unknown reason" : outcome.get(0).get("reason")));
            }
            return HttpResponse.json(202, Map.of("id", id, "replayJob", jobId, "state", after.state()));
        }
        return HttpResponse.json(200, LetterViews.summary(after));
    }

    private HttpResponse createJob(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        RequestFields body = RequestFields.of(request.jsonBody(), Set.of("filter", "ratePerSecond"));
        JsonNode filterNode = body.object("filter");
        if (filterNode == null) {
            throw RequestFields.invalid("filter", "is required (an object; {} replays every dead letter you can see)");
        }
        LetterFilter filter = LetterQuery.fromBody(filterNode, principal);
        double rate = rate(body);
        return start(principal, "job", filter, rate);
    }

    private HttpResponse recover(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        String subscription = request.pathParam("id");
        RequestFields body = RequestFields.of(request.jsonBody(), Set.of("since", "until", "ratePerSecond"));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("subscription", subscription);
        String since = body.string("since", 64);
        if (since == null) {
            throw RequestFields.invalid("since", "is required (an ISO-8601 instant)");
        }
        values.put("since", since);
        String until = body.string("until", 64);
        if (until != null) {
            values.put("until", until);
        }
        LetterFilter filter;
        try {
            filter = LetterQuery.fromBody(Json.MAPPER.valueToTree(values), principal);
        } catch (ProblemException e) {
            String field = e.problem().detail().startsWith("filter.since") ? "since"
                    : e.problem().detail().startsWith("filter.until") ? "until" : null;
            if (field == null) {
                throw ProblemException.notFound("no subscription " + subscription);
            }
            throw RequestFields.invalid(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z"
                    + (field.equals("until") ? ", after since" : ""));
        }
        Optional<SubscriptionRecord> known = subscriptions.apply(subscription);
        boolean visible = known.map(s -> principal.canSee(s.tenant())).orElseGet(() -> !database.read(h ->
                letters.list(h, new LetterFilter(filter.tenant(), subscription, null, null, null, null, null, null,
                        null), null, 1)).isEmpty());
        if (!visible) {
            throw ProblemException.notFound("no subscription " + subscription);
        }
        return start(principal, "recover", filter, rate(body));
    }

    private double rate(RequestFields body) {
        if (!body.has("ratePerSecond") || body.json("ratePerSecond") == null) {
            return defaultRate;
        }
        Double rate = body.number("ratePerSecond", -Double.MAX_VALUE, Double.MAX_VALUE);
        if (!(rate > 0) || rate > maxRate) {
            throw RequestFields.invalid("ratePerSecond", "must be a number greater than 0 and at most "
                    + (maxRate == Math.rint(maxRate) ? Long.toString((long) maxRate) : Double.toString(maxRate)));
        }
        return rate;
    }

    private HttpResponse start(Principal principal, String kind, LetterFilter filter, double rate) {
        String jobId = EventIds.newId("rpl_");
        int total = database.transaction(h -> jobs.create(h, jobId, kind, principal.admin() ? null : principal.tenant(),
                DeadLetterRoutes.actor(principal), Json.writeString(filter.view()), rate, filter));
        if (total > 0) {
            runner.launch(jobId);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", jobId);
        body.put("total", total);
        body.put("ratePerSecond", rate);
        return HttpResponse.json(202, body).withHeader("location", "/v1/replays/" + jobId);
    }

    private HttpResponse listJobs(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        ListCursor.PageRequest page = ListCursor.read(request);
        String tenant = principal.admin() ? null : principal.tenant();
        List<ReplayJob> rows = database.read(h -> jobs.list(h, tenant, page.after(), page.limit() + 1));
        return HttpResponse.json(200, ListCursor.page(rows, page.limit(), ReplayJob::id, LetterViews::job));
    }

    private HttpResponse getJob(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        ReplayJob job = visibleJob(principal, request.pathParam("id"));
        Map<String, Object> view = LetterViews.job(job);
        view.put("failures", database.read(h -> jobs.letters(h, job.id(), "failed", 100)));
        return HttpResponse.json(200, view);
    }

    private HttpResponse cancelJob(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        ReplayJob job = visibleJob(principal, request.pathParam("id"));
        boolean cancelled = database.transaction(h -> jobs.cancel(h, job.id(), DeadLetterRoutes.actor(principal)));
        if (!cancelled && !ReplayJob.CANCELLED.equals(job.state())) {
            throw ProblemException.conflict("replay job " + job.id() + " is already " + job.state());
        }
        return HttpResponse.json(200, LetterViews.job(database.read(h -> jobs.find(h, job.id())).orElseThrow()));
    }

    private ReplayJob visibleJob(Principal principal, String id) {
        Optional<ReplayJob> job = LetterQuery.plausibleId(id) ? database.read(h -> jobs.find(h, id)) : Optional.empty();
        return job.filter(j -> principal.admin() || principal.tenant().equals(j.tenant()))
                .orElseThrow(() -> ProblemException.notFound("no replay job " + id));
    }

    /** Why a letter of this subscription cannot be replayed now, or null. */
    private String subscriptionProblem(String subscriptionId) {
        Optional<SubscriptionRecord> s = subscriptions.apply(subscriptionId);
        if (s.isEmpty()) {
            return "subscription " + subscriptionId + " no longer exists";
        }
        return s.get().isActive() ? null : "subscription " + subscriptionId + " is disabled";
    }
}
