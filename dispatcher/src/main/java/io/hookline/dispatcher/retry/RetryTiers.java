package io.hookline.dispatcher.retry;

import io.hookline.common.kafka.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The delay tiers, one {@code hookline.retry.<delay>} topic each. A retry goes to the largest tier not longer than
 * its remaining delay (the smallest tier if none is that short); a tier's consumer releases a record when it has
 * sat out the tier's delay or is due, whichever comes first, and a record not yet due hops to the tier for what
 * remains. Any delay is therefore served by any set of tiers; tiers close to the schedules only save hops.
 */
public record RetryTiers(List<Duration> delays) {

    public RetryTiers {
        TreeSet<Duration> sorted = new TreeSet<>(delays);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("at least one retry tier is needed");
        }
        for (Duration d : sorted) {
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException("retry tiers must be at least 1ms, got " + d);
            }
        }
        delays = List.copyOf(sorted);
    }

    public static RetryTiers parse(List<String> texts) {
        return new RetryTiers(RetrySchedule.parse(texts).delays());
    }

    /** The tier for a task that is due in {@code remaining}. */
    public Duration forDelay(Duration remaining) {
        Duration chosen = delays.get(0);
        for (Duration tier : delays) {
            if (tier.compareTo(remaining) <= 0) {
                chosen = tier;
            }
        }
        return chosen;
    }

    public List<String> topics(TopicNames names) {
        List<String> out = new ArrayList<>(delays.size());
        for (Duration d : delays) {
            out.add(names.retry(d));
        }
        return out;
    }
}
