package io.hookline.registrar.store;

import io.hookline.common.event.OpsTopic;
import io.hookline.common.kafka.TopicNames;

/**
 * The topics the registrar publishes to, as stored in the outbox (independent of the topic prefix): the compacted
 * state topics, and the events topic of the system Hookline topic {@code hookline.ops} (operational events).
 */
public enum OutboxChannel {
    SUBSCRIPTIONS("subscriptions"), TOPICS("topics"), API_KEYS("api-keys"), OPS_EVENTS("events.hookline.ops");

    /** The Hookline topic whose events {@link #OPS_EVENTS} carries. */
    public static final String OPS_TOPIC = OpsTopic.NAME;

    private final String wireName;

    OutboxChannel(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public String kafkaTopic(TopicNames names) {
        return switch (this) {
            case SUBSCRIPTIONS -> names.subscriptions();
            case TOPICS -> names.topicRegistry();
            case API_KEYS -> names.apiKeys();
            case OPS_EVENTS -> names.events(OPS_TOPIC);
        };
    }

    public static OutboxChannel fromWire(String name) {
        for (OutboxChannel c : values()) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown outbox channel " + name);
    }
}
