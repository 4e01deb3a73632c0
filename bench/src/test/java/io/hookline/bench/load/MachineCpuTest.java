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
