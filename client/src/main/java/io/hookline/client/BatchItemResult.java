package io.hookline.client;

/**
 * The outcome of one event of a batch: either an event id (stored) or the gateway's problem for that item (not
 * stored). Items the gateway reported as temporarily failed (503/429) were retried with the same idempotency key
 * while the retry policy allowed; an error here is the last one.
 *
 * @param index          the position of the event in the list given to {@code publishBatch}
 * @param id             the event id when stored, else null
 * @param error          the problem when not stored, else null
 * @param idempotencyKey the key used for this item (the caller's or the generated one): publishing the item again
 *                       with it cannot create a duplicate
 */
public record BatchItemResult(int index, String id, Problem error, String idempotencyKey) {
    public BatchItemResult {
        if ((id == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of id and error must be set");
        }
    }

    public boolean isSuccess() {
        return id != null;
    }
}
