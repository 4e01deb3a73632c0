package io.hookline.gateway;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.ApiKeyRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The publishers seen recently, by their {@code Authorization} header: a publisher sends the same key on every
 * request, and checking it against the directory costs a SHA-256, a hex string and a principal per request, which was
 * a tenth of a single publish's CPU. Only keys the directory accepted with the publish scope are remembered, so a
 * flood of wrong keys cannot fill the cache (it is bounded anyway), and every wrong key still gets the directory's
 * own 401 or 403.
 *
 * <p>Must be added to the API-key view <em>after</em> the directory: any change of the view empties the cache once
 * the directory has applied it, so a revoked key stops working exactly when it would without the cache. A lookup
 * that raced with a change does not keep what it found (the generation check below).
 */
final class PublisherCache implements CompactedTopicView.Listener<ApiKeyRecord> {
    static final int MAX_ENTRIES = 10_000;

    /** The directory's check: the principal, or 401 / 403 as a ProblemException. */
    private final Function<HttpRequest, Principal> directory;
    private final Map<String, Principal> byHeader = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    PublisherCache(ApiKeyDirectory directory) {
        this(request -> directory.require(request, Scope.PUBLISH));
    }

    PublisherCache(Function<HttpRequest, Principal> directory) {
        this.directory = directory;
    }

    @Override
    public void onChange(String id, ApiKeyRecord previous, ApiKeyRecord current) {
        generation.incrementAndGet();
        byHeader.clear();
    }

    /** The principal of a request that may publish; 401 or 403 from the directory otherwise. */
    Principal requirePublisher(HttpRequest request) {
        String header = request.header("authorization");
        Principal known = header == null ? null : byHeader.get(header);
        if (known != null) {
            request.principal(known);
            return known;
        }
        long seen = generation.get();
        Principal principal = directory.apply(request);
        if (byHeader.size() < MAX_ENTRIES) {
            byHeader.put(header, principal);
            if (generation.get() != seen) {
                byHeader.remove(header, principal);
            }
        }
        return principal;
    }

    int size() {
        return byHeader.size();
    }
}
