package io.hookline.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the CPU of this JVM went during a phase, by thread group: every thread's CPU time is sampled before and
 * after, and threads are grouped by name with the numbers taken out ({@code gateway-sender-3} and
 * {@code gateway-sender-1} are one group). Since the broker, the four services and the load generator share the
 * JVM, this shows which of them a run was bound by. PostgreSQL is a separate process and is not on the hot path.
 */
public final class ThreadCpuProfile {
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    private static final Pattern HEX_IDS = Pattern.compile("[0-9a-f]{8,}(-[0-9a-f]{4,})*");

    public record Group(String name, int threads, long cpuNanos) {
    }

    private record Sample(String name, long cpuNanos) {
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Sample> before;
    private long startNanos;
    private long gcMillisBefore;
    private long gcCountBefore;
    private long jitMillisBefore;
    private long gcMillis;
    private long gcCount;
    private long jitMillis;

    public static boolean supported() {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        return t.isThreadCpuTimeSupported() && t.isThreadCpuTimeEnabled();
    }

    public void start() {
        startNanos = System.nanoTime();
        before = sample();
        gcMillisBefore = gcMillis();
        gcCountBefore = gcCount();
        jitMillisBefore = jitMillis();
    }

    /** CPU per group since {@link #start()}, largest first; threads that started in between count from zero. */
    public List<Group> stop() {
        Map<Long, Sample> after = sample();
        gcMillis = gcMillis() - gcMillisBefore;
        gcCount = gcCount() - gcCountBefore;
        jitMillis = jitMillis() - jitMillisBefore;
        Map<String, long[]> groups = new HashMap<>();
        for (Map.Entry<Long, Sample> e : after.entrySet()) {
            Sample was = before.get(e.getKey());
            long delta = e.getValue().cpuNanos() - (was == null ? 0 : was.cpuNanos());
            if (delta <= 0) {
                continue;
            }
            long[] sum = groups.computeIfAbsent(groupOf(e.getValue().name()), g -> new long[2]);
            sum[0] += delta;
            sum[1]++;
        }
        List<Group> out = new ArrayList<>();
        groups.forEach((name, sum) -> out.add(new Group(name, (int) sum[1], sum[0])));
        out.sort((a, b) -> Long.compare(b.cpuNanos(), a.cpuNanos()));
        return out;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * What the thread groups leave out: the JVM's own native threads (garbage collector, JIT compilers) are not
     * Java threads, so their CPU shows only in the process total; their elapsed times hint at how much it is.
     */
    public String jvmInternals() {
        return String.format(Locale.ROOT, "GC: %d collections, %.1f s collecting; JIT: %.1f s compiling "
                + "(the JVM's native GC and compiler threads are not in the groups below)", gcCount, gcMillis / 1e3,
                jitMillis / 1e3);
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Thread name without its numbers and generated ids: the group it is counted in. */
    static String groupOf(String threadName) {
        String name = HEX_IDS.matcher(threadName.toLowerCase(Locale.ROOT)).replaceAll("*");
        return NUMBERS.matcher(name).replaceAll("#");
    }

    private Map<Long, Sample> sample() {
        Map<Long, Sample> out = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                out.put(info.getThreadId(), new Sample(info.getThreadName(), cpu));
            }
        }
        return out;
    }

    /** The top {@code limit} groups as lines: CPU seconds and share of one core over the phase. */
    public static String render(List<Group> groups, long elapsedNanos, int limit) {
        StringBuilder out = new StringBuilder();
        long total = groups.stream().mapToLong(Group::cpuNanos).sum();
        out.append(String.format(Locale.ROOT, "JVM CPU over %.1f s wall: %.1f CPU-s = %.2f cores busy on average%n",
                elapsedNanos / 1e9, total / 1e9, elapsedNanos <= 0 ? 0 : (double) total / elapsedNanos));
        for (int i = 0; i < Math.min(limit, groups.size()); i++) {
            Group g = groups.get(i);
            out.append(String.format(Locale.ROOT, "  %6.1f CPU-s %5.1f%%  %-50s (%d threads)%n", g.cpuNanos() / 1e9,
                    total == 0 ? 0 : 100.0 * g.cpuNanos() / total, g.name(), g.threads()));
        }
        return out.toString();
    }
}
