package io.hookline.common.kafka;

import java.time.Duration;
import java.util.regex.Pattern;

/** The names of every Kafka topic Hookline uses, under one prefix (default {@code hookline}). */
public record TopicNames(String prefix) {
    public static final String DEFAULT_PREFIX = "hookline";

    /** Hookline topic names as accepted by the registrar API. */
    public static final Pattern TOPIC_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,199}");

    public String events(String topic) {
        return prefix + ".events." + topic;
    }

    /** Matches every events topic, for consumers that must pick up topics created later. */
    public Pattern eventsPattern() {
        return Pattern.compile(Pattern.quote(prefix + ".events.") + ".+");
    }

    /** The Hookline topic name of an events topic, or null if the Kafka topic is not one. */
    public String hooklineTopicOf(String kafkaTopic) {
        String head = prefix + ".events.";
        return kafkaTopic.startsWith(head) ? kafkaTopic.substring(head.length()) : null;
    }

    public String subscriptions() {
        return prefix + ".subscriptions";
    }

    public String topicRegistry() {
        return prefix + ".topics";
    }

    public String apiKeys() {
        return prefix + ".api-keys";
    }

    /**
     * Events that carry an idempotency key, re-keyed by tenant and event id on their way to the fan-out's dedupe
     * step. A fixed partition count keeps that stateful step's tasks (and its changelog) stable however many
     * partitions the events topics have.
     */
    public String idempotentEvents() {
        return prefix + ".fanout.idempotent-events";
    }

    public String deliveries() {
        return prefix + ".deliveries";
    }

    public String retry(Duration delay) {
        return prefix + ".retry." + DelayTiers.label(delay);
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    public String attempts() {
        return prefix + ".attempts";
    }

    /** Kafka Streams application id of the fan-out stage. */
    public String fanOutApplicationId() {
        return prefix + "-fanout";
    }

    public String deliveryGroupId() {
        return prefix + "-delivery";
    }
}
