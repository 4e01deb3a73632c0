package io.hookline.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU use of the whole machine during a phase, split into this JVM, its child processes (the embedded PostgreSQL)
 * and everything else (on a shared machine: other people's builds). Linux only ({@code /proc/stat}); elsewhere the
 * machine-wide part is left out.
 */
public final class MachineCpu {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final String serverMarker;
    private final String childrenLabel;
    private long[] statBefore;
    private long jvmBefore;
    private Map<Long, Long> childrenBefore;
    private long reapedBefore;
    private long startNanos;
    private double jvmCores;
    private long jvmCpuNanos;

    /**
     * @param serverMarker text in the command line of the PostgreSQL server to count (its data directory), or null;
     *                     the server daemonises, so it is no child of this JVM, and its backends are its children
     */
    public MachineCpu(String serverMarker) {
        this(serverMarker, "PostgreSQL and other child processes");
    }

    /** @param childrenLabel what this JVM's child processes are, in the report line */
    public MachineCpu(String serverMarker, String childrenLabel) {
        this.serverMarker = serverMarker;
        this.childrenLabel = childrenLabel;
    }

    public MachineCpu() {
        this(null);
    }

    public void start() {
        startNanos = System.nanoTime();
        statBefore = readStat();
        jvmBefore = jvmCpuNanos();
        childrenBefore = childrenCpuNanos();
        reapedBefore = reapedChildrenCpuNanos();
    }

    /** One line: cores busy on average, for the machine, this JVM, its children and the rest. */
    public String stop() {
        long elapsed = System.nanoTime() - startNanos;
        long jvm = jvmCpuNanos() - jvmBefore;
        long children = 0;
        for (Map.Entry<Long, Long> child : childrenCpuNanos().entrySet()) {
            children += child.getValue() - childrenBefore.getOrDefault(child.getKey(), 0L);
        }
        // A child that ran and exited within the phase (a load generator) is no descendant any more at the end; the
        // kernel added its CPU to this process's reaped-children time.
        children += reapedChildrenCpuNanos() - reapedBefore;
        long[] statAfter = readStat();
        jvmCores = cores(jvm, elapsed);
        jvmCpuNanos = jvm;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "cores busy on average: this JVM %.2f, %s %.2f", cores(jvm, elapsed), childrenLabel,
                cores(children, elapsed)));
        if (statBefore != null && statAfter != null) {
            long total = statAfter[0] - statBefore[0];
            long idle = statAfter[1] - statBefore[1];
            int cpus = Runtime.getRuntime().availableProcessors();
            double machineBusy = total == 0 ? 0 : cpus * (double) (total - idle) / total;
            out.append(String.format(Locale.ROOT, ", whole machine %.2f of %d, so other processes %.2f", machineBusy,
                    cpus, Math.max(0, machineBusy - cores(jvm, elapsed) - cores(children, elapsed))));
        }
        return out.toString();
    }

    /** Cores this JVM kept busy on average between {@link #start} and the last {@link #stop}. */
    public double jvmCores() {
        return jvmCores;
    }

    /** CPU time this JVM used between {@link #start} and the last {@link #stop}. */
    public double jvmCpuSeconds() {
        return jvmCpuNanos / 1e9;
    }

    static double cores(long cpuNanos, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : (double) cpuNanos / elapsedNanos;
    }

    private static long jvmCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** CPU of the children this JVM waited for (cutime + cstime of /proc/self/stat), or 0 off Linux. */
    private static long reapedChildrenCpuNanos() {
        try {
            return parseReapedChildren(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** cutime + cstime (fields 16 and 17, in clock ticks of 10 ms) of a /proc/[pid]/stat line, in nanoseconds. */
    static long parseReapedChildren(String stat) {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L;
    }

    /** CPU of this JVM's descendants and of the marked server process with its descendants, by pid. */
    private Map<Long, Long> childrenCpuNanos() {
        Map<Long, Long> out = new HashMap<>();
        ProcessHandle.current().descendants().forEach(p -> add(p, out));
        if (serverMarker != null) {
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(serverMarker)).orElse(false))
                    .forEach(server -> {
                        add(server, out);
                        server.descendants().forEach(p -> add(p, out));
                    });
        }
        return out;
    }

    private static void add(ProcessHandle p, Map<Long, Long> out) {
        p.info().totalCpuDuration().map(Duration::toNanos).ifPresent(cpu -> out.put(p.pid(), cpu));
    }

    /** {total jiffies, idle + iowait jiffies} of the first line of /proc/stat, or null. */
    static long[] readStat() {
        try {
            return parseStat(Files.readAllLines(PROC_STAT).get(0));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long[] parseStat(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            throw new IllegalArgumentException("not the aggregate cpu line: " + cpuLine);
        }
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already counted in user)
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new long[] {total, idle};
    }
}
