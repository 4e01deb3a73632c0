package io.hookline.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.bench.cli.BenchCommandLine;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.ParameterException;

class GatewayCommandTest {

    @Test
    void defaultsRunEveryPhaseAtTheIssueTargets() {
        GatewayBenchOptions o = GatewayCommand.parse();
        assertThat(o).isEqualTo(new GatewayBenchOptions(new LinkedHashSet<>(GatewayBenchOptions.ALL_PHASES), 30, 15, 2,
                128, 100, 16, 5000, 250, 500_000, 6, false, Map.of()));
        assertThat(o.phases()).containsExactly("kafka", "single", "batch", "rate");
        assertThat(o.ratePerConnection()).isEqualTo(20);
    }

    @Test
    void phasesRunInTheirFixedOrderWhateverOrderIsAsked() {
        assertThat(GatewayCommand.parse("--phases", "rate,single").phases()).containsExactly("single", "rate");
        assertThat(GatewayCommand.parse("--phases", "batch,,kafka,").phases()).containsExactly("kafka", "batch");
        assertThat(GatewayCommand.parse("--phases", "single,single").phases()).containsExactly("single");
    }

    @Test
    void everyOptionInBothSpellings() {
        GatewayBenchOptions o = GatewayCommand.parse("--phases=single", "--seconds", "20", "--warmup=0",
                "--threads", "1", "--connections", "64", "--batch", "50", "--batch-connections", "8", "--rate", "1000",
                "--rate-connections", "100", "--kafka-records", "1_000", "--partitions", "3", "--serve",
                "--env", "HOOKLINE_KAFKA_LINGER_MS=5", "--env=HOOKLINE_X=a=b");
        assertThat(o).isEqualTo(new GatewayBenchOptions(new LinkedHashSet<>(List.of("single")), 20, 0, 1,
                64, 50, 8, 1000, 100, 1000, 3, true, Map.of("HOOKLINE_KAFKA_LINGER_MS", "5", "HOOKLINE_X", "a=b")));
        assertThat(o.ratePerConnection()).isEqualTo(10);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--phases single,fanout       | Invalid value for option '--phases': unknown phases [fanout]; known: [kafka, single, batch, rate]",
        "--phases ,                   | Invalid value for option '--phases': names no phase; known: [kafka, single, batch, rate]",
        "--seconds 0                  | Invalid value for option '--seconds': must be positive, got 0",
        "--warmup -1                  | Invalid value for option '--warmup': must not be negative, got -1",
        "--threads two                | Invalid value for option '--threads': must be an integer, got 'two'",
        "--connections 0              | Invalid value for option '--connections': must be positive, got 0",
        "--batch 0                    | Invalid value for option '--batch': must be positive, got 0",
        "--batch-connections 0        | Invalid value for option '--batch-connections': must be positive, got 0",
        "--rate 0                     | Invalid value for option '--rate': must be positive, got 0",
        "--rate-connections 0         | Invalid value for option '--rate-connections': must be positive, got 0",
        "--rate 10 --rate-connections 20 | --rate-connections must not exceed --rate (each connection sends at least 1/s)",
        "--kafka-records 0            | Invalid value for option '--kafka-records': must be positive, got 0",
        "--partitions 0               | Invalid value for option '--partitions': must be positive, got 0",
        "--serve=please               | Invalid value for option '--serve': 'please' is not a boolean",
        "--env NOEQUALS               | Invalid value for option '--env' (KEY=VALUE): needs KEY=VALUE, got 'NOEQUALS'",
        "--bogus 1                    | Unknown options: '--bogus', '1'",
        "--seconds                    | Missing required parameter for option '--seconds' (N)",
        "single                       | Unmatched argument at index 0: 'single'",
    })
    void refusesWhatItCannotRun(String args, String message) {
        assertThatThrownBy(() -> GatewayCommand.parse(args.split(" "))).isInstanceOf(ParameterException.class)
                .hasMessage(message);
    }

    @Test
    void usageDescribesThePhasesAndEveryOption() {
        String usage = BenchCommandLine.usage(new GatewayCommand());
        assertThat(usage).startsWith("Usage: java -jar hookline-bench.jar gateway [OPTIONS]");
        assertThat(usage).contains(
                "  kafka   raw KafkaProducer (acks=all, idempotent, the gateway's linger/batch), 1208-byte records",
                "  rate    h2load at a fixed --rate, latency per request from its log",
                "--phases=LIST", "comma-separated subset of kafka,single,batch,rate (default all)",
                "--seconds=N", "length of each measured phase (default 30)",
                "--warmup=N", "seconds of single publish (then N/3 of batch and a fifth of the raw",
                "records) before measuring, not reported (default 15)",
                "--threads=N", "wrk threads (default 2)",
                "--connections=N", "connections of the single phase (default 128)",
                "--batch=N", "events per batch request (default 100)",
                "--batch-connections=N", "connections of the batch phase (default 16)",
                "--rate=N", "events/s of the rate phase (default 5000)",
                "--rate-connections=N", "connections of the rate phase (default 250; at most --rate)",
                "--kafka-records=N", "records of the raw producer baseline (default 500000)",
                "--partitions=N", "partitions of bench.events (default 6)",
                "--serve", "start, print the wrk/h2load commands, wait until killed",
                "--env=KEY=VALUE", "extra gateway setting, repeatable (e.g. HOOKLINE_KAFKA_LINGER_MS=5)",
                "-h, --help");
    }
}
