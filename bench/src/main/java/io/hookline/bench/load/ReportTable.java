package io.hookline.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The load driver's compact result table: one row per measured phase, latencies in milliseconds. */
public final class ReportTable {
    private static final String HEADER_FORMAT = "%-46s %9s %11s %9s %9s %9s %9s%n";
    private static final String ROW_FORMAT = "%-46s %9d %11.1f %9s %9s %9s %9s%n";

    private record Row(String name, long count, double perSecond, LatencySummary latency) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public ReportTable row(String name, long count, double perSecond, LatencySummary latency) {
        rows.add(new Row(name, count, perSecond, latency));
        return this;
    }

    public ReportTable note(String line) {
        notes.add(line);
        return this;
    }

    /** Events (or requests) per second over {@code elapsedNanos}; 0 when nothing was timed. */
    public static double perSecond(long count, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : count * 1e9 / elapsedNanos;
    }

    /** Nanoseconds as milliseconds with two decimals below 10 ms, one below 1 s, none above. */
    static String millis(long nanos) {
        double ms = nanos / 1e6;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, HEADER_FORMAT, "phase", "count", "per second", "p50 ms", "p90 ms",
                "p99 ms", "max ms"));
        for (Row row : rows) {
            LatencySummary l = row.latency();
            boolean timed = l != null && l.count() > 0;
            out.append(String.format(Locale.ROOT, ROW_FORMAT, row.name(), row.count(), row.perSecond(),
                    timed ? millis(l.p50()) : "-", timed ? millis(l.p90()) : "-", timed ? millis(l.p99()) : "-",
                    timed ? millis(l.max()) : "-"));
        }
        for (String note : notes) {
            out.append(note).append('\n');
        }
        return out.toString();
    }
}
