package io.hookline.registrar.store;

/**
 * Which subscriptions a list returns. Null members do not filter. {@code topic} is a topic name (subscriptions
 * whose patterns match it, i.e. that would receive its events) or, when it contains {@code *}, a pattern that
 * must appear verbatim in the subscription's patterns.
 */
public record SubscriptionFilter(String tenant, String topic, String status, String after, int limit) {
}
