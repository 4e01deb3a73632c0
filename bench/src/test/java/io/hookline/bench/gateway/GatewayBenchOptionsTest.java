package io.hookline.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayBenchOptionsTest {

    @Test
    void defaultsRunEveryPhaseAtTheIssueTargets() {
        GatewayBenchOptions o = GatewayBenchOptions.parse();
        assertThat(o.phases()).containsExactly("kafka", "single", "batch", "rate");
        assertThat(o.rate()).isEqualTo(5000);
        assertThat(o.ratePerConnection()).isEqualTo(20);
        assertThat(o.serve()).isFalse();
        assertThat(o.env()).isEmpty();
    }

    @Test
    void phasesRunInTheirFixedOrderWhateverOrderIsAsked() {
        assertThat(GatewayBenchOptions.parse("--phases", "rate,single").phases()).containsExactly("single", "rate");
    }

    @Test
    void everyOptionInBothSpellings() {
        GatewayBenchOptions o = GatewayBenchOptions.parse("--phases=single", "--seconds", "20", "--warmup=0",
                "--threads", "1", "--connections", "64", "--batch", "50", "--batch-connections", "8", "--rate", "1000",
                "--rate-connections", "100", "--kafka-records", "1000", "--partitions", "3", "--serve",
                "--env", "HOOKLINE_KAFKA_LINGER_MS=5", "--env=HOOKLINE_X=a=b");
        assertThat(o).isEqualTo(new GatewayBenchOptions(new java.util.LinkedHashSet<>(List.of("single")), 20, 0, 1,
                64, 50, 8, 1000, 100, 1000, 3, true, Map.of("HOOKLINE_KAFKA_LINGER_MS", "5", "HOOKLINE_X", "a=b")));
        assertThat(o.ratePerConnection()).isEqualTo(10);
    }

    @Test
    void refusesWhatItCannotRun() {
        assertThatThrownBy(() -> GatewayBenchOptions.parse("--phases", "single,fanout"))
                .hasMessageContaining("unknown phases [fanout]");
        assertThatThrownBy(() -> GatewayBenchOptions.parse("--connections", "0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> GatewayBenchOptions.parse("--rate", "10", "--rate-connections", "20"))
                .hasMessageContaining("--rate-connections");
        assertThatThrownBy(() -> GatewayBenchOptions.parse("--bogus", "1")).hasMessageContaining("unknown options");
        assertThatThrownBy(() -> GatewayBenchOptions.parse("--env", "NOEQUALS")).hasMessageContaining("KEY=VALUE");
    }
}
