package io.hookline.registrar.store;

import io.hookline.common.kafka.TopicNames;

/** The compacted topics the registrar broadcasts to, as stored in the outbox (independent of the topic prefix). */
public enum OutboxChannel {
    SUBSCRIPTIONS("subscriptions"), TOPICS("topics"), API_KEYS("api-keys");

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
