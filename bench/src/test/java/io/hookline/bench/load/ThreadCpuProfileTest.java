package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadCpuProfileTest {

    @Test
    void threadsAreGroupedWithoutTheirNumbersAndIds() {
        assertThat(ThreadCpuProfile.groupOf("gateway-sender-3")).isEqualTo("gateway-sender-#");
        assertThat(ThreadCpuProfile.groupOf("gateway-sender-12")).isEqualTo("gateway-sender-#");
        assertThat(ThreadCpuProfile.groupOf("hookline-fanout-1a2b3c4d5e-StreamThread-1"))
                .isEqualTo("hookline-fanout-*-streamthread-#");
        assertThat(ThreadCpuProfile.groupOf("data-plane-kafka-request-handler-0"))
                .isEqualTo("data-plane-kafka-request-handler-#");
    }

    @Test
    void rendersSharesOfTheTotal() {
        String out = ThreadCpuProfile.render(List.of(new ThreadCpuProfile.Group("a-#", 2, 3_000_000_000L),
                new ThreadCpuProfile.Group("b", 1, 1_000_000_000L)), 2_000_000_000L, 10);
        assertThat(out).contains("4.0 CPU-s = 2.00 cores", "75.0%  a-#", "25.0%  b");
    }

    @Test
    void measuresThisThreadsWork() {
        if (!ThreadCpuProfile.supported()) {
            return;
        }
        ThreadCpuProfile profile = new ThreadCpuProfile();
        profile.start();
        long x = 0;
        for (int i = 0; i < 5_000_000; i++) {
            x += Long.numberOfTrailingZeros(i ^ x);
        }
        List<ThreadCpuProfile.Group> groups = profile.stop();
        assertThat(x).isNotNegative();
        assertThat(groups).anySatisfy(g -> assertThat(g.name()).isEqualTo(
                ThreadCpuProfile.groupOf(Thread.currentThread().getName())));
    }
}
