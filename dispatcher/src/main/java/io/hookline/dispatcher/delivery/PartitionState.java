package io.hookline.dispatcher.delivery;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/**
 * A deliveries partition this instance owns: its offset watermark (consumer thread only), how many of its tasks
 * have a request in flight (any thread), and whether it was handed back (then its queued tasks are dropped, not
 * started: the next owner reads them again from the committed watermark).
 */
final class PartitionState {
    final TopicPartition partition;
    final PartitionWatermark watermark = new PartitionWatermark();
    final AtomicInteger started = new AtomicInteger();
    volatile boolean revoked;
    boolean paused;
    long lastCommitted = -1;
    /** Offsets the previous owner finished above its committed watermark: read again, but not delivered again. */
    FinishedAhead finishedByPrevious = FinishedAhead.NONE;

    PartitionState(TopicPartition partition) {
        this.partition = partition;
    }
}
