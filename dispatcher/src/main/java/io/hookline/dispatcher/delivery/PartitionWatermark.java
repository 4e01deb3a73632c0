package io.hookline.dispatcher.delivery;

/**
 * Which offsets of one partition are still being worked on, so the consumer can commit the watermark: the lowest
 * offset below which every task is final. Tasks complete in any order (many subscriptions of a partition are
 * served concurrently); a crash then redelivers only from the oldest unfinished task on.
 *
 * <p>Offsets are tracked in increasing order (as a consumer reads them; gaps such as transaction markers are
 * fine) in a ring buffer, completed by binary search. Not thread-safe: owned by the consumer thread.
 */
public final class PartitionWatermark {
    private long[] offsets = new long[64];
    private boolean[] done = new boolean[64];
    private int head; // index of the oldest unfinished offset
    private int size; // tracked offsets from head on, finished or not
    private int outstanding; // tracked and not finished
    private long lastTracked = -1;

    /** Starts tracking {@code offset}; offsets must be tracked in increasing order. */
    public void track(long offset) {
        if (offset <= lastTracked) {
            throw new IllegalArgumentException("offset " + offset + " tracked after " + lastTracked);
        }
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) % offsets.length;
        offsets[slot] = offset;
        done[slot] = false;
        size++;
        outstanding++;
        lastTracked = offset;
    }

    /** Marks {@code offset} final; unknown or already finished offsets are ignored. */
    public void complete(long offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = offsets[(head + mid) % offsets.length];
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                int slot = (head + mid) % offsets.length;
                if (!done[slot]) {
                    done[slot] = true;
                    outstanding--;
                    advance();
                }
                return;
            }
        }
    }

    private void advance() {
        while (size > 0 && done[head]) {
            head = (head + 1) % offsets.length;
            size--;
        }
    }

    /**
     * The offset to commit: the oldest unfinished one, or {@code position} (the consumer's next offset, which
     * also skips trailing transaction markers) when everything read is final.
     */
    public long committable(long position) {
        return size == 0 ? position : offsets[head];
    }

    /** The offsets already final above the oldest unfinished one (completed out of order), ascending. */
    public long[] finishedAhead() {
        long[] out = new long[size - outstanding];
        int n = 0;
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            if (done[slot]) {
                out[n++] = offsets[slot];
            }
        }
        return out;
    }

    /** The oldest unfinished offset, or -1 when everything tracked is final. */
    public long lowestUnfinished() {
        return size == 0 ? -1 : offsets[head];
    }

    /** Tasks read and not yet final. */
    public int outstanding() {
        return outstanding;
    }

    public long lastTracked() {
        return lastTracked;
    }

    private void grow() {
        int capacity = offsets.length * 2;
        long[] newOffsets = new long[capacity];
        boolean[] newDone = new boolean[capacity];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            newOffsets[i] = offsets[slot];
            newDone[i] = done[slot];
        }
        offsets = newOffsets;
        done = newDone;
        head = 0;
    }

    @Override
    public String toString() {
        return "PartitionWatermark[lowestUnfinished=" + lowestUnfinished() + ", outstanding=" + outstanding
                + ", lastTracked=" + lastTracked + ", window=" + size + "]";
    }
}
