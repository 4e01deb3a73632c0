package io.hookline.common.security;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.ProblemException;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.subscription.ApiKeyRecord;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Authenticates bearer keys: the admin key from configuration, tenant keys from the {@code hookline.api-keys}
 * view (indexed by hash, so a check is one SHA-256 and one map lookup — no database call).
 */
public final class ApiKeyDirectory implements CompactedTopicView.Listener<ApiKeyRecord> {
    private final String adminKey;
    private final Map<String, ApiKeyRecord> byHash = new ConcurrentHashMap<>();

    public ApiKeyDirectory(String adminKey) {
        this.adminKey = adminKey;
    }

    @Override
    public void onChange(String id, ApiKeyRecord previous, ApiKeyRecord current) {
        if (previous != null) {
            byHash.remove(previous.keyHash());
        }
        if (current != null) {
            byHash.put(current.keyHash(), current);
        }
    }

    public Optional<Principal> authenticate(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        if (adminKey != null && ApiKeys.matches(key, adminKey)) {
            return Optional.of(Principal.administrator());
        }
        ApiKeyRecord record = byHash.get(ApiKeys.hash(key));
        if (record == null) {
            return Optional.empty();
        }
        Set<Scope> scopes = record.scopes().stream().map(Scope::fromWire).collect(Collectors.toUnmodifiableSet());
        return Optional.of(new Principal(record.tenant(), scopes, false, record.id()));
    }

    /**
     * Authenticates the request's {@code Authorization: Bearer} key and checks the scope: 401 without a valid key,
     * 403 when the key lacks the scope. Sets and returns the principal.
     */
    public Principal require(HttpRequest request, Scope scope) {
        String header = request.header("authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("send an API key as 'Authorization: Bearer <key>'");
        }
        Principal principal = authenticate(header.substring(7).trim())
                .orElseThrow(() -> ProblemException.unauthorized("the API key is not valid"));
        if (!principal.has(scope)) {
            throw ProblemException.forbidden("the API key lacks the '" + scope.wireName() + "' scope");
        }
        request.principal(principal);
        return principal;
    }
}
