package io.hookline.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalLoadTest {

    @Test
    void readsTheSummaryLineOfTheWrkScripts() {
        String output = """
                Running 30s test @ http://127.0.0.1:41234
                  2 threads and 128 connections
                HOOKLINE_WRK requests=600000 non2xx=1000 connect=0 read=2 write=0 timeout=1 duration_us=30000000 \
                events_per_request=1 p50_us=5100 p90_us=9000 p99_us=21000 max_us=80000 mean_us=6000
                """;
        ExternalLoad.WrkResult r = ExternalLoad.parseWrk(output);
        assertThat(r.requests()).isEqualTo(600_000);
        assertThat(r.non2xx()).isEqualTo(1000);
        assertThat(r.socketErrors()).isEqualTo(3);
        assertThat(r.p99Micros()).isEqualTo(21_000);
        // only the 2xx answers count: 599 000 requests of 1 event in 30 s
        assertThat(r.acceptedEventsPerSecond()).isEqualTo(599_000 / 30.0);
    }

    @Test
    void batchRequestsCountTheirEvents() {
        ExternalLoad.WrkResult r = ExternalLoad.parseWrk("HOOKLINE_WRK requests=100 non2xx=0 connect=0 read=0 write=0 "
                + "timeout=0 duration_us=2000000 events_per_request=100 p50_us=1 p90_us=1 p99_us=1 max_us=1 mean_us=1");
        assertThat(r.acceptedEventsPerSecond()).isEqualTo(5000.0);
    }

    @Test
    void withoutTheSummaryLineItSaysWhy() {
        assertThatThrownBy(() -> ExternalLoad.parseWrk("Requests/sec: 1000\n"))
                .hasMessageContaining("no HOOKLINE_WRK summary line");
    }

    @Test
    void readsTheH2loadLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("h2load.log");
        StringBuilder rows = new StringBuilder();
        long start = 1_700_000_000_000_000L;
        for (int i = 0; i < 100; i++) {
            // one request every 10 ms, latency 1..100 ms; the last one answered 503
            rows.append(start + i * 10_000L).append('\t').append(i == 99 ? 503 : 202).append('\t')
                    .append((i + 1) * 1000L).append('\n');
        }
        Files.writeString(log, rows);
        ExternalLoad.RateResult r = ExternalLoad.parseH2loadLog(log);
        assertThat(r.requests()).isEqualTo(100);
        assertThat(r.count(202)).isEqualTo(99);
        assertThat(r.count(503)).isEqualTo(1);
        assertThat(r.latency().p50()).isEqualTo(50_000_000L);
        assertThat(r.latency().p99()).isEqualTo(99_000_000L);
        assertThat(r.spanMicros()).isEqualTo(990_000L);
        assertThat(r.requestsPerSecond()).isEqualTo(100 / 0.99);
    }

    @Test
    void runsACommandAndReturnsItsOutput() throws Exception {
        assertThat(ExternalLoad.run(java.util.List.of("sh", "-c", "echo $GREETING"), java.util.Map.of("GREETING",
                "hello"), 30)).isEqualTo("hello\n");
        assertThatThrownBy(() -> ExternalLoad.run(java.util.List.of("sh", "-c", "exit 3"), java.util.Map.of(), 30))
                .hasMessageContaining("exited with 3");
    }
}
