package io.hookline.bench.jmh;

import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained heap of the dispatcher's {@link SubscriptionIndex} at 10^4, 10^5 and 10^6 subscriptions, measured as the
 * difference in used heap after forced full GCs before and after building it (no agent needed; JOL would give
 * per-class detail but not a different total). The records are decoded exactly as the dispatcher decodes them, each
 * with its own encrypted secret. Reported twice: the index alone, and the index plus the view's own map of the same
 * records and keys (what {@code CompactedTopicView} keeps beside it in the dispatcher) — the dispatcher's real
 * footprint.
 * Run it in a JVM whose heap is the budget (e.g. {@code -Xmx1g}) to show the largest size fits.
 */
public final class IndexHeapReport {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public record Measurement(int subscriptions, boolean wildcard, long indexBytes, long withViewBytes) {
    }

    private IndexHeapReport() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        boolean wildcard = false;
        for (String arg : args) {
            if (arg.equals("--wildcard")) {
                wildcard = true;
            } else {
                sizes.add(Integer.parseInt(arg.replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10_000, 100_000, 1_000_000);
        }
        System.out.printf(Locale.ROOT, "# SubscriptionIndex retained heap (forced-GC heap delta), %s topics, "
                        + "max heap %d MiB, %s%n", wildcard ? "wildcard" : "exact",
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%13s %12s %14s %18s %20s%n", "subscriptions", "index MiB", "bytes/sub",
                "index+view MiB", "index+view bytes/sub");
        for (int size : sizes) {
            Measurement m = measure(size, wildcard);
            System.out.printf(Locale.ROOT, "%13d %12.1f %14d %18.1f %20d%n", m.subscriptions(),
                    m.indexBytes() / 1048576.0, m.indexBytes() / size, m.withViewBytes() / 1048576.0,
                    m.withViewBytes() / size);
        }
    }

    public static Measurement measure(int size, boolean wildcard) {
        long before = usedAfterGc();
        SubscriptionIndex index = new SubscriptionIndex();
        SubscriptionFixtures.generate(size, wildcard, true, index::apply);
        long withIndex = usedAfterGc();
        if (index.activeCount() != size) {
            throw new IllegalStateException("index holds " + index.activeCount() + " of " + size);
        }
        Map<String, SubscriptionRecord> view = new ConcurrentHashMap<>();
        fillViewFrom(index, size, view);
        long withView = usedAfterGc();
        Reference.reachabilityFence(index);
        Reference.reachabilityFence(view);
        return new Measurement(size, wildcard, withIndex - before, withView - before);
    }

    /**
     * The view's map: the same records under the same keys. In the dispatcher the view puts the Kafka record key and
     * hands that very string to the index, and the record's own id is a second string; here the index has the
     * generator's string and the view gets the record's id, which is the same count of strings.
     */
    private static void fillViewFrom(SubscriptionIndex index, int size, Map<String, SubscriptionRecord> view) {
        int groups = size / SubscriptionFixtures.GROUP;
        for (int g = 0; g < groups; g++) {
            for (SubscriptionRecord r : index.match(SubscriptionFixtures.tenantOf(g), SubscriptionFixtures.topicOf(g))) {
                view.put(r.id(), r);
            }
        }
    }

    /** Used heap once repeated full collections stop freeing anything. */
    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used - 64 * 1024) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }
}
