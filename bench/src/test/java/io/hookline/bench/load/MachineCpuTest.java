package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MachineCpuTest {

    @Test
    void totalAndIdleFromTheAggregateLine() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        long[] stat = MachineCpu.parseStat("cpu  100 5 50 800 20 3 2 0 40 0");
        assertThat(stat).containsExactly(980, 820);
    }

    @Test
    void onlyTheAggregateLine() {
        assertThatThrownBy(() -> MachineCpu.parseStat("cpu0 1 2 3 4")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reapedChildrenTimeFromProcSelfStat() {
        // a command name with spaces and parentheses; cutime 250 and cstime 50 ticks = 3 s
        String stat = "4242 (java (bench) x) S 1 4242 4242 0 -1 4194304 101 0 0 0 700 90 250 50 20 0 40 0 1 3 4";
        assertThat(MachineCpu.parseReapedChildren(stat)).isEqualTo(3_000_000_000L);
    }

    @Test
    void coresBusy() {
        assertThat(MachineCpu.cores(3_000_000_000L, 2_000_000_000L)).isEqualTo(1.5);
        assertThat(MachineCpu.cores(5, 0)).isZero();
    }

    @Test
    void reportsTheJvmAndItsChildren() {
        MachineCpu cpu = new MachineCpu();
        cpu.start();
        assertThat(cpu.stop()).contains("this JVM", "child processes");
    }
}
