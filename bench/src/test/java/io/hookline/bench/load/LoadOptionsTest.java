package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaults() {
        LoadOptions o = LoadOptions.parse();
        assertThat(o.events()).isEqualTo(20_000);
        assertThat(o.concurrency()).isEqualTo(64);
        assertThat(o.fanOut()).isEqualTo(1);
        assertThat(o.payloadBytes()).isEqualTo(1024);
        assertThat(o.batchSize()).isZero();
        assertThat(o.rate()).isZero();
        assertThat(o.duration()).isEqualTo(Duration.ZERO);
        assertThat(o.maxInFlight()).isNull();
        assertThat(o.directBaseline()).isTrue();
        assertThat(o.kafkaBaseline()).isTrue();
        assertThat(o.env()).isEmpty();
    }

    @Test
    void everyOptionInBothSpellings() {
        LoadOptions o = LoadOptions.parse("--events", "1_000", "--concurrency=8", "--fanout", "10", "--wildcard",
                "--payload", "512", "--batch=100", "--rate", "5000", "--duration", "90s", "--warmup", "0",
                "--partitions", "3", "--max-in-flight", "50", "--drain-timeout", "2m", "--receiver-threads", "2",
                "--no-direct-baseline", "--no-kafka-baseline", "--env", "HOOKLINE_FANOUT_THREADS=2",
                "--env=HOOKLINE_X=a=b");
        assertThat(o).isEqualTo(new LoadOptions(1000, 8, 10, true, 512, 100, 5000.0, Duration.ofSeconds(90), 0, 3, 50,
                Duration.ofMinutes(2), false, false, 2,
                Map.of("HOOKLINE_FANOUT_THREADS", "2", "HOOKLINE_X", "a=b")));
        assertThat(o.describe()).contains("fanout=10 (wildcard)", "mode=batch(100)", "rate=5000.0/s", "duration=90s");
    }

    @Test
    void fanOutZeroMeansPublishOnly() {
        assertThat(LoadOptions.parse("--fanout", "0").fanOut()).isZero();
        assertThatThrownBy(() -> LoadOptions.parse("--fanout", "-1")).hasMessageContaining("--fanout");
    }

    @Test
    void durations() {
        assertThat(LoadOptions.duration("d", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(LoadOptions.duration("d", "3m")).isEqualTo(Duration.ofMinutes(3));
        assertThat(LoadOptions.duration("d", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(LoadOptions.duration("d", "12")).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void badInputNamesTheOption() {
        assertThatThrownBy(() -> LoadOptions.parse("--events", "-1")).hasMessageContaining("--events");
        assertThatThrownBy(() -> LoadOptions.parse("--fanout", "x")).hasMessageContaining("--fanout");
        assertThatThrownBy(() -> LoadOptions.parse("--rate", "-5")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadOptions.parse("--duration", "soon")).hasMessageContaining("--duration");
        assertThatThrownBy(() -> LoadOptions.parse("--bogus", "1")).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> LoadOptions.parse("--events")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> LoadOptions.parse("--env", "NOEQUALS")).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> LoadOptions.parse("--wildcard=yes")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> LoadOptions.parse("stray")).hasMessageContaining("unexpected argument");
    }
}
