package io.hookline.bench.jmh;

import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SubscriptionIndex#match} — the fan-out stage's per-event lookup — over 10^4, 10^5 and 10^6 subscriptions,
 * with exact topic names and with {@code app<g>.*} wildcards. Every lookup matches {@link SubscriptionFixtures#GROUP}
 * subscriptions; lookups walk random groups so the 10^6 case pays its cache misses. The time should stay flat as
 * the index grows (the design promise: proportional to the matches, not to the subscriptions).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class SubscriptionIndexBenchmark {

    @Param({"10000", "100000", "1000000"})
    public int subscriptions;

    @Param({"exact", "wildcard"})
    public String pattern;

    private SubscriptionIndex index;
    private String[] tenants;
    private String[] topics;

    @Setup(Level.Trial)
    public void build() {
        index = SubscriptionFixtures.index(subscriptions, pattern.equals("wildcard"), false);
        int groups = subscriptions / SubscriptionFixtures.GROUP;
        // 64k precomputed lookups: the strings are built outside the measurement, as the event's topic is.
        tenants = new String[1 << 16];
        topics = new String[1 << 16];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < tenants.length; i++) {
            int group = random.nextInt(groups);
            tenants[i] = SubscriptionFixtures.tenantOf(group);
            topics[i] = SubscriptionFixtures.topicOf(group);
        }
        List<SubscriptionRecord> probe = index.match(tenants[0], topics[0]);
        if (probe.size() != SubscriptionFixtures.GROUP) {
            throw new IllegalStateException("fixture broken: lookup matched " + probe.size());
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public List<SubscriptionRecord> match(Cursor cursor) {
        int i = cursor.next++ & (tenants.length - 1);
        return index.match(tenants[i], topics[i]);
    }

    /** A topic nobody subscribed to: the cost of the probes alone. */
    @Benchmark
    public List<SubscriptionRecord> miss(Cursor cursor) {
        int i = cursor.next++ & (tenants.length - 1);
        return index.match(tenants[i], "nobody.listens.here");
    }
}
