package io.hookline.registrar.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.http.RequestFields;
import io.hookline.common.event.EventIds;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.ApiKeyRepository;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.StoredApiKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/api-keys} (admin key only): tenant keys are generated here, shown once, stored and broadcast as
 * their SHA-256 only. Besides the broadcast, this instance's directory learns of a change right after the
 * commit ({@link ApiKeyDirectoryFeed}), so a new key works here at once and a revoked one stops at once.
 */
public final class ApiKeyRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyRoutes.class);
    static final Set<String> CREATE_FIELDS = Set.of("tenant", "scopes", "description");
    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("key_[0-9A-Z]{26}");

    private final ApiKeyDirectory auth;
    private final ApiKeyDirectoryFeed feed;
    private final ServiceDatabase database;
    private final ApiKeyRepository apiKeys;
    private final OutboxRepository outbox;

    public ApiKeyRoutes(ApiKeyDirectory auth, ApiKeyDirectoryFeed feed, ServiceDatabase database,
                        ApiKeyRepository apiKeys, OutboxRepository outbox) {
        this.auth = auth;
        this.feed = feed;
        this.database = database;
        this.apiKeys = apiKeys;
        this.outbox = outbox;
    }

    public void register(RouteTable router) {
        router.post("/v1/api-keys", this::create);
        router.get("/v1/api-keys", this::list);
        router.get("/v1/api-keys/{id}", this::get);
        router.delete("/v1/api-keys/{id}", this::delete);
    }

    HttpResponse create(HttpRequest request) {
        requireAdmin(request);
        RequestFields body = RequestFields.of(request.jsonBody(), CREATE_FIELDS);
        String tenant = body.string("tenant", 63);
        if (tenant == null) {
            tenant = Principal.DEFAULT_TENANT;
        }
        TenantAccess.checkName(tenant, "tenant");
        List<String> given = body.strings("scopes", 1, 3, 20);
        if (given == null) {
            throw RequestFields.invalid("scopes", "is required (any of publish, manage, replay)");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            try {
                scopes.add(Scope.fromWire(given.get(i)).wireName());
            } catch (IllegalArgumentException e) {
                throw RequestFields.invalid("scopes[" + i + "]", e.getMessage());
            }
        }
        String description = body.string("description", 200);
        String key = ApiKeys.generate();
        ApiKeyRecord record = new ApiKeyRecord(EventIds.newId("key_"), tenant, Set.copyOf(scopes),
                ApiKeys.hash(key), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        StoredApiKey stored = new StoredApiKey(record, description);
        database.write(h -> {
            apiKeys.insert(h, stored);
            outbox.apiKeyChanged(h, record);
            return null;
        });
        feed.created(record);
        LOG.info("API key {} created for tenant {} with scopes {}", record.id(), tenant, scopes);
        return HttpResponse.json(201, ApiViews.apiKey(stored, key)).withHeader("location", "/v1/api-keys/" + record.id());
    }

    HttpResponse list(HttpRequest request) {
        requireAdmin(request);
        String tenant = TenantAccess.forList(Principal.administrator(), request.query("tenant"));
        ListCursor.PageRequest page = ListCursor.read(request);
        List<StoredApiKey> rows = database.read(h -> apiKeys.list(h, tenant, page.after(), page.limit() + 1));
        return HttpResponse.json(200, ListCursor.page(rows, page.limit(), k -> k.record().id(),
                k -> ApiViews.apiKey(k, null)));
    }

    HttpResponse get(HttpRequest request) {
        requireAdmin(request);
        String id = keyId(request);
        StoredApiKey key = database.read(h -> apiKeys.find(h, id))
                .orElseThrow(() -> ProblemException.notFound(notFound(id)));
        return HttpResponse.json(200, ApiViews.apiKey(key, null));
    }

    HttpResponse delete(HttpRequest request) {
        requireAdmin(request);
        String id = keyId(request);
        StoredApiKey revoked = database.write(h -> {
            StoredApiKey key = apiKeys.lock(h, id).orElseThrow(() -> ProblemException.notFound(notFound(id)));
            apiKeys.delete(h, id);
            outbox.apiKeyRevoked(h, id);
            return key;
        });
        feed.revoked(revoked.record());
        LOG.info("API key {} of tenant {} revoked", id, revoked.record().tenant());
        return HttpResponse.noContent();
    }

    private void requireAdmin(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        if (!principal.admin()) {
            throw ProblemException.forbidden("only the admin key manages API keys");
        }
    }

    private static String notFound(String id) {
        return "no API key with id '" + id + "'";
    }

    private static String keyId(HttpRequest request) {
        String id = request.pathParam("id");
        if (!KEY_ID.matcher(id).matches()) {
            throw ProblemException.notFound(notFound(id.length() > 64 ? id.substring(0, 64) + "..." : id));
        }
        return id;
    }
}
