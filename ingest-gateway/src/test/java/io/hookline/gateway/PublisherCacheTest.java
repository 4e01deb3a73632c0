package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.ApiKeyRecord;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublisherCacheTest {
    private final ApiKeyDirectory directory = new ApiKeyDirectory("hk_admin_key_for_the_cache_test_0123456789");
    private final PublisherCache cache = new PublisherCache(directory);

    /** A key change as the view delivers it: the directory first, then the cache. */
    private void change(String id, ApiKeyRecord previous, ApiKeyRecord current) {
        directory.onChange(id, previous, current);
        cache.onChange(id, previous, current);
    }

    private static HttpRequest request(String key) {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        if (key != null) {
            headers.set("authorization", "Bearer " + key);
        }
        return new HttpRequest("POST", "/v1/topics/t/events", Map.of("topic", "t"), Map.of(), headers, new byte[0]);
    }

    private static int statusOf(Runnable call) {
        try {
            call.run();
            return 0;
        } catch (ProblemException e) {
            return e.problem().status();
        }
    }

    @Test
    void aKnownPublisherIsRememberedAndSetOnEveryRequest() {
        String key = ApiKeys.generate();
        change("key_1", null, new ApiKeyRecord("key_1", "acme", Set.of("publish"), ApiKeys.hash(key), Instant.now()));

        Principal first = cache.requirePublisher(request(key));
        assertThat(first.tenant()).isEqualTo("acme");
        assertThat(cache.size()).isEqualTo(1);
        HttpRequest again = request(key);
        assertThat(cache.requirePublisher(again)).isSameAs(first);
        assertThat(again.principal()).isSameAs(first);
    }

    @Test
    void aRevokedKeyIsRefusedAsSoonAsTheViewSeesTheRevocation() {
        String key = ApiKeys.generate();
        ApiKeyRecord record = new ApiKeyRecord("key_2", "acme", Set.of("publish"), ApiKeys.hash(key), Instant.now());
        change("key_2", null, record);
        cache.requirePublisher(request(key));

        change("key_2", record, null);
        assertThat(cache.size()).isZero();
        assertThat(statusOf(() -> cache.requirePublisher(request(key)))).isEqualTo(401);
    }

    @Test
    void wrongKeysAndKeysWithoutThePublishScopeGetTheDirectoryAnswerAndAreNotKept() {
        String readOnly = ApiKeys.generate();
        change("key_3", null, new ApiKeyRecord("key_3", "acme", Set.of("manage"), ApiKeys.hash(readOnly), Instant.now()));

        assertThat(statusOf(() -> cache.requirePublisher(request(readOnly)))).isEqualTo(403);
        assertThat(statusOf(() -> cache.requirePublisher(request(ApiKeys.generate())))).isEqualTo(401);
        assertThat(statusOf(() -> cache.requirePublisher(request(null)))).isEqualTo(401);
        assertThat(cache.size()).isZero();
    }

    @Test
    void aChangeDuringALookupDoesNotLeaveAStaleEntry() {
        String key = ApiKeys.generate();
        ApiKeyRecord record = new ApiKeyRecord("key_4", "acme", Set.of("publish"), ApiKeys.hash(key), Instant.now());
        change("key_4", null, record);
        // The directory answers from before the revocation; the revocation lands before the answer is cached.
        PublisherCache[] underRace = new PublisherCache[1];
        underRace[0] = new PublisherCache(request -> {
            Principal found = directory.require(request, Scope.PUBLISH);
            change("key_4", record, null);
            underRace[0].onChange("key_4", record, null);
            return found;
        });
        underRace[0].requirePublisher(request(key));
        assertThat(underRace[0].size()).isZero();
        assertThat(statusOf(() -> underRace[0].requirePublisher(request(key)))).isEqualTo(401);
    }
}
