package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.bench.cli.BenchCommandLine;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.ParameterException;

class LoadCommandTest {

    @Test
    void defaults() {
        assertThat(LoadCommand.parse()).isEqualTo(new LoadOptions(20_000, 64, 1, false, 1024, 0, 0.0, Duration.ZERO,
                2_000, 6, null, Duration.ofMinutes(5), true, true, 2, Map.of()));
    }

    @Test
    void everyOptionInBothSpellings() {
        LoadOptions o = LoadCommand.parse("--events", "1_000", "--concurrency=8", "--fanout", "10", "--wildcard",
                "--payload", "512", "--batch=100", "--rate", "5000", "--duration", "90s", "--warmup", "0",
                "--partitions", "3", "--max-in-flight", "50", "--drain-timeout", "2m", "--receiver-threads", "4",
                "--no-direct-baseline", "--no-kafka-baseline", "--env", "HOOKLINE_FANOUT_THREADS=2",
                "--env=HOOKLINE_X=a=b");
        assertThat(o).isEqualTo(new LoadOptions(1000, 8, 10, true, 512, 100, 5000.0, Duration.ofSeconds(90), 0, 3, 50,
                Duration.ofMinutes(2), false, false, 4,
                Map.of("HOOKLINE_FANOUT_THREADS", "2", "HOOKLINE_X", "a=b")));
        assertThat(o.describe()).contains("fanout=10 (wildcard)", "mode=batch(100)", "rate=5000.0/s", "duration=90s",
                "maxInFlight=50");
    }

    @Test
    void zeroMeansNoneWhereItMeansSomething() {
        assertThat(LoadCommand.parse("--fanout", "0").fanOut()).isZero();
        assertThat(LoadCommand.parse("--batch", "0").batchSize()).isZero();
        assertThat(LoadCommand.parse("--warmup", "0").warmupEvents()).isZero();
        assertThat(LoadCommand.parse("--rate", "0").rate()).isZero();
        assertThat(LoadCommand.parse("--rate", "250.5").rate()).isEqualTo(250.5);
        assertThat(LoadCommand.parse("--duration", "0").duration()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--events -1              | Invalid value for option '--events': must be positive, got -1",
        "--concurrency 0          | Invalid value for option '--concurrency': must be positive, got 0",
        "--fanout -1              | Invalid value for option '--fanout': must not be negative, got -1",
        "--fanout x               | Invalid value for option '--fanout': must be an integer, got 'x'",
        "--payload 0              | Invalid value for option '--payload': must be positive, got 0",
        "--batch -2               | Invalid value for option '--batch': must not be negative, got -2",
        "--rate -5                | Invalid value for option '--rate': must be a non-negative number of events/s, got '-5'",
        "--rate fast              | Invalid value for option '--rate': must be a non-negative number of events/s, got 'fast'",
        "--rate NaN               | Invalid value for option '--rate': must be a non-negative number of events/s, got 'NaN'",
        "--duration soon          | Invalid value for option '--duration': must be a duration such as 500ms, 30s or 5m, got 'soon'",
        "--warmup -1              | Invalid value for option '--warmup': must not be negative, got -1",
        "--partitions 0           | Invalid value for option '--partitions': must be positive, got 0",
        "--max-in-flight 0        | Invalid value for option '--max-in-flight': must be positive, got 0",
        "--drain-timeout -1m      | Invalid value for option '--drain-timeout': must not be negative, got '-1m'",
        "--receiver-threads 0     | Invalid value for option '--receiver-threads': must be positive, got 0",
        "--env NOEQUALS           | Invalid value for option '--env' (KEY=VALUE): needs KEY=VALUE, got 'NOEQUALS'",
        "--wildcard=yes           | Invalid value for option '--wildcard': 'yes' is not a boolean",
        "--bogus 1                | Unknown options: '--bogus', '1'",
        "--events                 | Missing required parameter for option '--events' (N)",
        "stray                    | Unmatched argument at index 0: 'stray'",
        "--direct-baseline        | Unknown option: '--direct-baseline'",
    })
    void badInputNamesTheOption(String args, String message) {
        assertThatThrownBy(() -> LoadCommand.parse(args.split(" "))).isInstanceOf(ParameterException.class)
                .hasMessage(message);
    }

    @Test
    void usageListsEveryOptionWithItsDescription() {
        String usage = BenchCommandLine.usage(new LoadCommand());
        assertThat(usage).startsWith("Usage: java -jar hookline-bench.jar load [OPTIONS]");
        assertThat(usage).contains(
                "--events=N", "events to publish (default 20000)",
                "--concurrency=N", "requests in flight, gateway and direct baseline alike (default 64)",
                "--fanout=N", "subscriptions on the topic = deliveries per event (default 1;",
                "0 = publish only: the gateway and the fan-out's reading, no deliveries)",
                "--wildcard", "subscribe with 'bench.*' instead of the exact topic name",
                "--payload=BYTES", "JSON payload size per event (default 1024)",
                "--batch=N", "batch publish, N events per request (default 0 = single publish)",
                "--rate=N", "target events/s, open loop (default 0 = flat out)",
                "--duration=D", "publish at most this long, e.g. 60s (default: until --events were sent)",
                "--warmup=N", "events published and delivered before measuring (default 2000)",
                "--partitions=N", "partitions of the benchmark events topic (default 6)",
                "--max-in-flight=N", "the subscriptions' maxInFlight (default: the dispatcher's default)",
                "--drain-timeout=D", "wait this long for all deliveries after publishing (default 5m)",
                "--receiver-threads=N", "event-loop threads of the local receiver (default 2)",
                "--no-direct-baseline", "skip the direct POST baseline",
                "--no-kafka-baseline", "skip the raw Kafka producer baseline",
                "--env=KEY=VALUE", "extra setting for the standalone, repeatable (e.g. HOOKLINE_FANOUT_THREADS=2)",
                "-h, --help");
    }
}
