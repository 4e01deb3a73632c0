package io.hookline.registrar.outbox;

import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.ApiKeyRepository;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.StoredApiKey;
import io.hookline.registrar.store.SubscriptionRepository;
import io.hookline.registrar.store.TopicRepository;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-publishes the full state (every API key, topic and subscription) through the outbox, e.g. after a Kafka
 * cluster lost or never had the compacted topics. The tables are locked against writes (SHARE mode) while the
 * rows are appended, so each key's republished value is ordered after every earlier change and before every
 * later one: the compacted topics end on the current state.
 */
public final class StateRepublisher {
    private static final Logger LOG = LoggerFactory.getLogger(StateRepublisher.class);

    /** How many records of each kind were queued. */
    public record Counts(int apiKeys, int topics, int subscriptions) {
    }

    private final ServiceDatabase database;
    private final OutboxRepository outbox;
    private final ApiKeyRepository apiKeys;
    private final TopicRepository topics;
    private final SubscriptionRepository subscriptions;

    public StateRepublisher(ServiceDatabase database, OutboxRepository outbox, ApiKeyRepository apiKeys,
                            TopicRepository topics, SubscriptionRepository subscriptions) {
        this.database = database;
        this.outbox = outbox;
        this.apiKeys = apiKeys;
        this.topics = topics;
        this.subscriptions = subscriptions;
    }

    public Counts republishAll() {
        Counts counts = database.write(h -> {
            h.execute("LOCK TABLE api_keys, topics, subscriptions IN SHARE MODE");
            int k = 0;
            for (StoredApiKey key : apiKeys.all(h)) {
                outbox.apiKeyChanged(h, key.record());
                k++;
            }
            int t = 0;
            for (TopicRecord topic : topics.all(h)) {
                outbox.topicChanged(h, topic);
                t++;
            }
            int s = 0;
            for (SubscriptionRecord subscription : subscriptions.all(h)) {
                outbox.subscriptionChanged(h, subscription);
                s++;
            }
            return new Counts(k, t, s);
        });
        LOG.info("queued the full state for re-publication: {} API keys, {} topics, {} subscriptions",
                counts.apiKeys(), counts.topics(), counts.subscriptions());
        return counts;
    }
}
