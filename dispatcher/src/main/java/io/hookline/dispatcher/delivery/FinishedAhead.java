package io.hookline.dispatcher.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * The offsets of a partition that are final although they lie above its committed watermark (tasks complete out of
 * order: one subscription's queue can hold the watermark while another's later tasks are delivered). They travel
 * as the commit's metadata, so that the partition's next owner skips them instead of delivering them twice: a
 * hand-over (scale-down, rebalance) then redelivers only what really was unfinished.
 *
 * <p>Encoded as {@code fa1:} followed by comma-separated ranges of offsets relative to the committed offset
 * ({@code 1-4,7,9-120}), at most {@link #MAX_CHARS} characters (the broker refuses metadata over 4096 bytes by
 * default); offsets left out for space are simply redelivered.
 */
final class FinishedAhead {
    static final int MAX_CHARS = 3000;
    private static final String PREFIX = "fa1:";
    static final FinishedAhead NONE = new FinishedAhead(new long[0], new long[0]);

    private final long[] starts; // absolute offsets, ascending, disjoint ranges
    private final long[] ends; // inclusive
    private int cursor; // ranges before it lie below every offset asked about so far

    private FinishedAhead(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    /** The commit metadata for offsets {@code finished} (ascending) when the watermark is {@code committed}. */
    static String encode(long committed, long[] finished) {
        StringBuilder out = new StringBuilder(PREFIX);
        int i = 0;
        while (i < finished.length) {
            long start = finished[i] - committed;
            long end = start;
            while (i + 1 < finished.length && finished[i + 1] - committed == end + 1) {
                end++;
                i++;
            }
            i++;
            if (start <= 0) {
                continue; // at or below the committed offset: the next owner does not read it anyway
            }
            String range = start == end ? Long.toString(start) : start + "-" + end;
            if (out.length() + range.length() + 1 > MAX_CHARS) {
                break; // the rest is redelivered
            }
            out.append(out.length() == PREFIX.length() ? "" : ",").append(range);
        }
        return out.length() == PREFIX.length() ? "" : out.toString();
    }

    /** What a committed offset's metadata says is final above it; {@link #NONE} for anything else. */
    static FinishedAhead decode(long committed, String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX) || metadata.length() == PREFIX.length()) {
            return NONE;
        }
        List<long[]> ranges = new ArrayList<>();
        long previousEnd = 0;
        try {
            for (String part : metadata.substring(PREFIX.length()).split(",")) {
                int dash = part.indexOf('-');
                long start = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
                long end = dash < 0 ? start : Long.parseLong(part.substring(dash + 1));
                if (start <= previousEnd || end < start) {
                    return NONE; // not ours, or damaged: redeliver rather than skip on a guess
                }
                previousEnd = end;
                ranges.add(new long[] {committed + start, committed + end});
            }
        } catch (NumberFormatException e) {
            return NONE;
        }
        long[] starts = new long[ranges.size()];
        long[] ends = new long[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            starts[i] = ranges.get(i)[0];
            ends[i] = ranges.get(i)[1];
        }
        return new FinishedAhead(starts, ends);
    }

    /** True if {@code offset} is final; offsets must be asked about in increasing order (as a consumer reads). */
    boolean contains(long offset) {
        while (cursor < starts.length && ends[cursor] < offset) {
            cursor++;
        }
        return cursor < starts.length && starts[cursor] <= offset;
    }

    /** How many offsets it names. */
    long count() {
        long n = 0;
        for (int i = 0; i < starts.length; i++) {
            n += ends[i] - starts[i] + 1;
        }
        return n;
    }
}
