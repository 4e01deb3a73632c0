package io.hookline.registrar.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.net.DestinationPolicy;
import io.hookline.common.net.DestinationRejectedException;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.SubscriptionRecord.SigningSecret;
import io.hookline.common.subscription.TopicPattern;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.SubscriptionFilter;
import io.hookline.registrar.store.SubscriptionRepository;
import io.hookline.registrar.store.SubscriptionStatusWriter;
import io.hookline.registrar.store.TopicRepository;
import io.hookline.signature.WebhookSecret;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/subscriptions}. Every change runs as one transaction that updates the row and appends the new
 * {@link SubscriptionRecord} (or a tombstone) to the outbox; {@code version} grows by one with each change and
 * is the ETag that {@code If-Match} checks.
 */
public final class SubscriptionRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRoutes.class);
    public static final long DEFAULT_GRACE_SECONDS = 24 * 3600;
    public static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;
    /** The current secret plus up to four previous ones still in their grace period. */
    public static final int MAX_SECRETS = 5;
    public static final int MAX_TEST_PAYLOAD_BYTES = 64 * 1024;
    private static final java.util.regex.Pattern SUBSCRIPTION_ID = java.util.regex.Pattern.compile("sub_[0-9A-Z]{26}");

    private final ApiKeyDirectory auth;
    private final ServiceDatabase database;
    private final SubscriptionRepository subscriptions;
    private final TopicRepository topics;
    private final OutboxRepository outbox;
    private final DestinationPolicy destinations;
    private final SecretCipher cipher;
    private final TestEventPublisher testEvents;
    private final SubscriptionStatusWriter statusWriter;

    public SubscriptionRoutes(ApiKeyDirectory auth, ServiceDatabase database, SubscriptionRepository subscriptions,
                              TopicRepository topics, OutboxRepository outbox, DestinationPolicy destinations,
                              SecretCipher cipher, TestEventPublisher testEvents) {
        this.auth = auth;
        this.database = database;
        this.subscriptions = subscriptions;
        this.topics = topics;
        this.outbox = outbox;
        this.destinations = destinations;
        this.cipher = cipher;
        this.testEvents = testEvents;
        this.statusWriter = new SubscriptionStatusWriter(subscriptions, outbox);
    }

    public void register(RouteTable router) {
        router.post("/v1/subscriptions", this::create);
        router.get("/v1/subscriptions", this::list);
        router.get("/v1/subscriptions/{id}", this::get);
        router.patch("/v1/subscriptions/{id}", this::patch);
        router.delete("/v1/subscriptions/{id}", this::delete);
        router.post("/v1/subscriptions/{id}/enable", r -> changeStatus(r, SubscriptionRecord.ACTIVE));
        router.post("/v1/subscriptions/{id}/disable", r -> changeStatus(r, SubscriptionRecord.DISABLED));
        router.post("/v1/subscriptions/{id}/rotate-secret", this::rotateSecret);
        router.post("/v1/subscriptions/{id}/test", this::sendTestEvent);
    }

    HttpResponse create(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        RequestFields body = RequestFields.of(request.jsonBody(), SubscriptionFields.CREATE);
        String tenant = TenantAccess.forCreate(principal, body.string("tenant", 63));
        SubscriptionSettings settings = SubscriptionFields.apply(SubscriptionSettings.NEW, body);
        checkDestination(settings.url());
        String secret = WebhookSecret.generate().toString();
        Instant now = now();
        SubscriptionRecord record = settings.toRecord(EventIds.newId("sub_"), tenant, 1,
                List.of(new SigningSecret(cipher.encrypt(secret), null)), now, now);
        database.write(h -> {
            requireTopicsExist(h, tenant, record.topics(), List.of());
            subscriptions.insert(h, record);
            outbox.subscriptionChanged(h, record);
            return null;
        });
        LOG.info("subscription {} created for tenant {} -> {} on {}", record.id(), tenant, record.url(),
                record.topics());
        return respond(201, record, secret).withHeader("location", "/v1/subscriptions/" + record.id());
    }

    HttpResponse list(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String tenant = TenantAccess.forList(principal, request.query("tenant"));
        String topic = request.query("topic");
        if (topic != null && !topic.isEmpty()) {
            try {
                TopicPattern.parse(topic);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("topic: " + e.getMessage(), "topic");
            }
        } else {
            topic = null;
        }
        String status = request.query("status");
        if (status != null && !status.isEmpty()) {
            if (!status.equals(SubscriptionRecord.ACTIVE) && !status.equals(SubscriptionRecord.DISABLED)) {
                throw ProblemException.badRequest("status: must be 'active' or 'disabled'", "status");
            }
        } else {
            status = null;
        }
        ListCursor.PageRequest page = ListCursor.read(request);
        SubscriptionFilter filter = new SubscriptionFilter(tenant, topic, status, page.after(), page.limit() + 1);
        List<SubscriptionRecord> rows = database.read(h -> subscriptions.list(h, filter));
        return HttpResponse.json(200, ListCursor.page(rows, page.limit(), SubscriptionRecord::id,
                s -> ApiViews.subscription(s, null)));
    }

    HttpResponse get(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        record Found(SubscriptionRecord subscription, SubscriptionRepository.StatusInfo status) {
        }
        Found found = TenantAccess.visible(principal, database.read(h -> subscriptions.find(h, id)
                        .map(s -> new Found(s, subscriptions.statusInfo(h, id).orElse(null)))),
                f -> f.subscription().tenant(), notFound(id));
        return HttpResponse.json(200, ApiViews.subscription(found.subscription(), null, found.status()))
                .withHeader("etag", IfMatch.etag(found.subscription().version()));
    }

    /**
     * Changes the members present in the body (JSON merge-patch style: {@code null} resets an optional member).
     * With {@code If-Match}, a stale version answers 412 and changes nothing.
     */
    HttpResponse patch(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        Long expected = IfMatch.expectedVersion(request);
        RequestFields body = RequestFields.of(request.jsonBody(), SubscriptionFields.PATCHABLE);
        if (body.has("url")) {
            // Resolved outside the transaction: DNS can be slow and must not hold the row lock.
            String url = SubscriptionFields.url(body.string("url", SubscriptionFields.MAX_URL_LENGTH));
            if (url != null) {
                checkDestination(url);
            }
        }
        SubscriptionRecord updated = change(principal, id, expected, current -> {
            SubscriptionSettings next = SubscriptionFields.apply(SubscriptionSettings.of(current), body);
            return next;
        }, (h, current, next) -> requireTopicsExist(h, current.tenant(), next.topics(), current.topics()));
        return respond(200, updated, null);
    }

    HttpResponse changeStatus(HttpRequest request, String status) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        Long expected = IfMatch.expectedVersion(request);
        // The same transition endpoint health uses (SubscriptionStatusWriter), so both are recorded alike.
        String reason = SubscriptionStatusWriter.MANUAL;
        SubscriptionRecord updated = database.write(h -> {
            SubscriptionRecord current = lockVisible(h, principal, id);
            IfMatch.check(expected, current.version(), "subscription " + id);
            return statusWriter.change(h, current, status, reason, now());
        });
        return respond(200, updated, null);
    }

    /**
     * Issues a new secret. The previous one keeps signing for {@code graceSeconds} (default 24 h; 0 drops it at
     * once), so receivers can switch without rejecting deliveries; both travel in the record's secrets.
     */
    HttpResponse rotateSecret(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        Long expected = IfMatch.expectedVersion(request);
        RequestFields body = RequestFields.ofOptional(request, Set.of("graceSeconds"));
        Long graceGiven = body.longInteger("graceSeconds", 0, MAX_GRACE_SECONDS);
        long grace = graceGiven != null ? graceGiven : DEFAULT_GRACE_SECONDS;
        String secret = WebhookSecret.generate().toString();
        SubscriptionRecord updated = database.write(h -> {
            SubscriptionRecord current = lockVisible(h, principal, id);
            IfMatch.check(expected, current.version(), "subscription " + id);
            Instant now = now();
            List<SigningSecret> secrets = rotatedSecrets(current.secrets(), cipher.encrypt(secret), now, grace);
            SubscriptionRecord next = SubscriptionSettings.of(current).toRecord(id, current.tenant(),
                    current.version() + 1, secrets, current.createdAt(), now);
            subscriptions.update(h, next);
            outbox.subscriptionChanged(h, next);
            return next;
        });
        LOG.info("subscription {} secret rotated (previous secret valid for {} s)", id, grace);
        return respond(200, updated, secret);
    }

    /**
     * Sends a signed test event ({@code {"payload"?: any}}, default a short message) to an active subscription
     * through the dispatcher; answers 202 with the event id once Kafka has the delivery task.
     */
    HttpResponse sendTestEvent(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        RequestFields body = RequestFields.ofOptional(request, Set.of("payload"));
        JsonNode payload = body.has("payload") ? body.json("payload") : null;
        if (payload != null && Json.write(payload).length > MAX_TEST_PAYLOAD_BYTES) {
            throw RequestFields.invalid("payload", "must be at most " + MAX_TEST_PAYLOAD_BYTES + " bytes of JSON");
        }
        SubscriptionRecord subscription = TenantAccess.visible(principal,
                database.read(h -> subscriptions.find(h, id)), SubscriptionRecord::tenant, notFound(id));
        if (!subscription.isActive()) {
            throw ProblemException.conflict("subscription " + id + " is disabled; enable it to send a test event");
        }
        if (payload == null) {
            payload = Json.MAPPER.createObjectNode().put("message", "This is a test event from Hookline.")
                    .put("subscriptionId", id);
        }
        EventEnvelope event = testEvents.send(id, subscription.tenant(), payload);
        LOG.info("test event {} sent to subscription {}", event.id(), id);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", event.id());
        answer.put("topic", event.topic());
        answer.put("subscriptionId", id);
        return HttpResponse.json(202, answer);
    }

    HttpResponse delete(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String id = subscriptionId(request);
        Long expected = IfMatch.expectedVersion(request);
        database.write(h -> {
            SubscriptionRecord current = lockVisible(h, principal, id);
            IfMatch.check(expected, current.version(), "subscription " + id);
            subscriptions.delete(h, id);
            outbox.subscriptionDeleted(h, id);
            return null;
        });
        LOG.info("subscription {} deleted", id);
        return HttpResponse.noContent();
    }

    /** A check that needs the transaction (e.g. that referenced topics exist). */
    private interface ChangeCheck {
        void check(Handle h, SubscriptionRecord current, SubscriptionSettings next);
    }

    /**
     * Read-modify-write of one subscription under its row lock. No version bump and no broadcast when nothing
     * changed, so retried requests are harmless.
     */
    private SubscriptionRecord change(Principal principal, String id, Long expected,
                                      Function<SubscriptionRecord, SubscriptionSettings> modify, ChangeCheck check) {
        return database.write(h -> {
            SubscriptionRecord current = lockVisible(h, principal, id);
            IfMatch.check(expected, current.version(), "subscription " + id);
            SubscriptionSettings next = modify.apply(current);
            if (next.equals(SubscriptionSettings.of(current))) {
                return current;
            }
            check.check(h, current, next);
            SubscriptionRecord record = next.toRecord(id, current.tenant(), current.version() + 1, current.secrets(),
                    current.createdAt(), now());
            subscriptions.update(h, record);
            if (!record.status().equals(current.status())) {
                subscriptions.recordStatusChange(h, id, SubscriptionStatusWriter.MANUAL, record.updatedAt());
            }
            outbox.subscriptionChanged(h, record);
            LOG.info("subscription {} updated to version {} (status {})", id, record.version(), record.status());
            return record;
        });
    }

    private SubscriptionRecord lockVisible(Handle h, Principal principal, String id) {
        return TenantAccess.visible(principal, subscriptions.lock(h, id), SubscriptionRecord::tenant, notFound(id));
    }

    /**
     * Exact topic names must be topics of the subscription's tenant (a typo would otherwise never match).
     * Names the subscription already had are not re-checked, so a topic deleted with force does not block
     * unrelated changes.
     */
    private void requireTopicsExist(Handle h, String tenant, List<String> patterns, List<String> alreadyThere) {
        Map<String, Integer> exact = new LinkedHashMap<>();
        for (int i = 0; i < patterns.size(); i++) {
            String p = patterns.get(i);
            if (!p.contains("*") && !alreadyThere.contains(p)) {
                exact.putIfAbsent(p, i);
            }
        }
        if (exact.isEmpty()) {
            return;
        }
        Set<String> existing = topics.existing(h, tenant, exact.keySet());
        for (Map.Entry<String, Integer> e : exact.entrySet()) {
            if (!existing.contains(e.getKey())) {
                throw RequestFields.invalid("topics[" + e.getValue() + "]", "no topic named '" + e.getKey()
                        + "' exists in tenant '" + tenant + "'; create it first (POST /v1/topics) or use a pattern "
                        + "such as " + e.getKey() + ".*");
            }
        }
    }

    private void checkDestination(String url) {
        try {
            destinations.checkUrl(url);
        } catch (DestinationRejectedException e) {
            throw RequestFields.invalid("url", e.getMessage());
        }
    }

    /**
     * The new secret first (no expiry), then the previous current one expiring after the grace period, then
     * older ones still in their own grace period; at most {@link #MAX_SECRETS}, dropping the soonest to expire.
     */
    static List<SigningSecret> rotatedSecrets(List<SigningSecret> current, String newEncrypted, Instant now,
                                              long graceSeconds) {
        List<SigningSecret> previous = new ArrayList<>();
        for (SigningSecret s : current) {
            Instant expiry = s.expiresAt() == null ? now.plusSeconds(graceSeconds) : s.expiresAt();
            if (expiry.isAfter(now)) {
                previous.add(new SigningSecret(s.encrypted(), expiry));
            }
        }
        previous.sort(Comparator.comparing(SigningSecret::expiresAt).reversed());
        List<SigningSecret> out = new ArrayList<>();
        out.add(new SigningSecret(newEncrypted, null));
        out.addAll(previous.subList(0, Math.min(previous.size(), MAX_SECRETS - 1)));
        return List.copyOf(out);
    }

    private static HttpResponse respond(int status, SubscriptionRecord record, String secret) {
        return HttpResponse.json(status, ApiViews.subscription(record, secret))
                .withHeader("etag", IfMatch.etag(record.version()));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static String notFound(String id) {
        return "no subscription with id '" + id + "'";
    }

    /** The path's id; anything that cannot be a subscription id is simply not found (and never reaches SQL). */
    static String subscriptionId(HttpRequest request) {
        String id = request.pathParam("id");
        if (!SUBSCRIPTION_ID.matcher(id).matches()) {
            throw ProblemException.notFound(notFound(id.length() > 64 ? id.substring(0, 64) + "..." : id));
        }
        return id;
    }
}
