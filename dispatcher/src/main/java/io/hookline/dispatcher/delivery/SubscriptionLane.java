package io.hookline.dispatcher.delivery;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * The tasks of one subscription waiting on this instance, with what limits them: requests in flight, the token
 * bucket and, for ordered subscriptions, the events partitions that already have a request in flight. Used only on
 * the scheduler's thread.
 */
final class SubscriptionLane {
    final String subscriptionId;
    private final ArrayDeque<QueuedTask> queue = new ArrayDeque<>();
    private final Set<String> busyKeys = new HashSet<>();
    int inFlight;
    /** Ordered heads waiting to be retried in place; their events partitions stay busy meanwhile. */
    int heldForRetry;
    TokenBucket bucket;
    boolean wakeScheduled;

    SubscriptionLane(String subscriptionId) {
        this.subscriptionId = subscriptionId;
    }

    void add(QueuedTask task) {
        queue.addLast(task);
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    int queued() {
        return queue.size();
    }

    /**
     * The next task that may start (it stays queued): the oldest one, or for an ordered subscription the oldest
     * one whose events partition has nothing in flight (its predecessors went first); null if none may.
     */
    QueuedTask peekNext(boolean ordered) {
        if (!ordered || busyKeys.isEmpty()) {
            return queue.peekFirst();
        }
        // The first task of a partition not in flight is that partition's oldest: order is kept per partition.
        for (QueuedTask task : queue) {
            if (!busyKeys.contains(task.orderingKey())) {
                return task;
            }
        }
        return null;
    }

    void remove(QueuedTask task) {
        if (queue.peekFirst() == task) {
            queue.pollFirst();
            return;
        }
        Iterator<QueuedTask> it = queue.iterator();
        while (it.hasNext()) {
            if (it.next() == task) {
                it.remove();
                return;
            }
        }
    }

    /** Keeps the task's events partition busy while it waits to be retried in place. */
    void holdForRetry(QueuedTask task) {
        heldForRetry++;
        busyKeys.add(task.orderingKey());
    }

    /** The held task is due again: it goes first. */
    void releaseForRetry(QueuedTask task) {
        heldForRetry--;
        busyKeys.remove(task.orderingKey());
        queue.addFirst(task);
    }

    QueuedTask poll() {
        return queue.pollFirst();
    }

    void started(QueuedTask task, boolean ordered) {
        inFlight++;
        if (ordered) {
            busyKeys.add(task.orderingKey());
        }
    }

    void finished(QueuedTask task) {
        inFlight--;
        if (!busyKeys.isEmpty()) {
            busyKeys.remove(task.orderingKey());
        }
    }

    boolean isIdle(long nowNanos) {
        return queue.isEmpty() && inFlight == 0 && heldForRetry == 0 && !wakeScheduled && (bucket == null || bucket.isFull(nowNanos));
    }
}
