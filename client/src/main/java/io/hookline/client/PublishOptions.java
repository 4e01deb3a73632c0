package io.hookline.client;

/**
 * Optional settings of one publish.
 *
 * @param idempotencyKey the caller's own idempotency key (e.g. an order id plus the event kind), so that
 *                       publishing the same thing again — even from another process, within 24 h — yields the same
 *                       event id and one delivery; null lets the client generate a fresh UUID for this publish
 *                       (still reused across its retries)
 * @param orderingKey    events sharing an ordering key land on one partition and reach "ordered" subscriptions in
 *                       order; null for none
 */
public record PublishOptions(String idempotencyKey, String orderingKey) {
    private static final PublishOptions NONE = new PublishOptions(null, null);

    public PublishOptions {
        HeaderValues.check(idempotencyKey, "idempotencyKey");
        HeaderValues.check(orderingKey, "orderingKey");
    }

    public static PublishOptions none() {
        return NONE;
    }

    public static PublishOptions idempotencyKey(String key) {
        return new PublishOptions(key, null);
    }

    public static PublishOptions orderingKey(String key) {
        return new PublishOptions(null, key);
    }

    public PublishOptions withIdempotencyKey(String key) {
        return new PublishOptions(key, orderingKey);
    }

    public PublishOptions withOrderingKey(String key) {
        return new PublishOptions(idempotencyKey, key);
    }
}
