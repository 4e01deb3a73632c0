package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportTableTest {

    @Test
    void ratesPerSecond() {
        assertThat(ReportTable.perSecond(5000, 2_000_000_000L)).isEqualTo(2500.0);
        assertThat(ReportTable.perSecond(10, 0)).isZero();
    }

    @Test
    void millisecondsKeepUsefulPrecision() {
        assertThat(ReportTable.millis(1_234_567)).isEqualTo("1.23");
        assertThat(ReportTable.millis(12_345_678)).isEqualTo("12.3");
        assertThat(ReportTable.millis(2_345_678_901L)).isEqualTo("2346");
    }

    @Test
    void rendersOneRowPerPhaseAndTheNotes() {
        String out = new ReportTable()
                .row("direct POST", 1000, 2500.0, new LatencySummary(1000, 1_000_000, 2_000_000, 5_000_000,
                        9_000_000, 1_500_000))
                .row("untimed", 3, 1.5, null)
                .note("delivered 1000 of 1000")
                .render();
        String[] lines = out.split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).contains("phase", "count", "per second", "p50 ms", "p99 ms", "max ms");
        assertThat(lines[1]).contains("direct POST", "1000", "2500.0", "1.00", "2.00", "5.00", "9.00");
        assertThat(lines[2]).contains("untimed").endsWith("-");
        assertThat(lines[3]).isEqualTo("delivered 1000 of 1000");
    }
}
