package io.hookline.registrar.api;

import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.subscription.ApiKeyRecord;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feeds the registrar's {@link ApiKeyDirectory} from two sources: the {@code api-keys} view (changes made by any
 * instance) and this instance's own commits, applied at once so a new key works immediately and a revoked one
 * stops immediately. A revocation is remembered until its tombstone comes through the view, so the view
 * replaying the key's older creation record cannot bring it back in the meantime.
 */
public final class ApiKeyDirectoryFeed implements CompactedTopicView.Listener<ApiKeyRecord> {
    private final ApiKeyDirectory directory;
    private final Set<String> revokedLocally = ConcurrentHashMap.newKeySet();

    public ApiKeyDirectoryFeed(ApiKeyDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void onChange(String id, ApiKeyRecord previous, ApiKeyRecord current) {
        if (current == null) {
            revokedLocally.remove(id);
        } else if (revokedLocally.contains(id)) {
            return;
        }
        directory.onChange(id, previous, current);
    }

    public void created(ApiKeyRecord key) {
        directory.onChange(key.id(), null, key);
    }

    public void revoked(ApiKeyRecord key) {
        revokedLocally.add(key.id());
        directory.onChange(key.id(), key, null);
    }
}
