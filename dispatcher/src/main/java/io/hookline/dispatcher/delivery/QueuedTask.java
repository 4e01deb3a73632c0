package io.hookline.dispatcher.delivery;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import java.util.List;
import java.util.function.Consumer;

/** A delivery task read at {@code offset} of a partition, waiting for or in its attempt. */
final class QueuedTask {
    final DeliveryTask task;
    final PartitionState partition;
    final long offset;
    /** The summaries of the attempts before this one (from the record's {@code hookline-attempts} header). */
    final List<DeadLetter.AttemptSummary> history;
    private final Consumer<QueuedTask> onFinal;
    private boolean started;

    QueuedTask(DeliveryTask task, PartitionState partition, long offset, List<DeadLetter.AttemptSummary> history,
               Consumer<QueuedTask> onFinal) {
        this.task = task;
        this.partition = partition;
        this.offset = offset;
        this.history = history;
        this.onFinal = onFinal;
    }

    /**
     * The next attempt of this task at the same offset (an ordered subscription's head retried in place); this
     * one stops counting as in flight without becoming final.
     */
    QueuedTask nextAttemptInPlace(DeliveryTask next, List<DeadLetter.AttemptSummary> attempts) {
        if (started) {
            started = false;
            partition.started.decrementAndGet();
        }
        return new QueuedTask(next, partition, offset, attempts, onFinal);
    }

    /** "Ordered" subscriptions get one request at a time per events partition, which is what this names. */
    String orderingKey() {
        return task.event().topic() + '#' + task.sourcePartition();
    }

    void markStarted() {
        started = true;
        partition.started.incrementAndGet();
    }

    /** The task reached its final state for this hop: its offset may be committed. */
    void finish() {
        onFinal.accept(this);
        if (started) {
            partition.started.decrementAndGet(); // after onFinal: a hand-over waiting on zero sees the completion
        }
    }
}
