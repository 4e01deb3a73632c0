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

class DeliveryCommandTest {

    @Test
    void defaults() {
        DeliveryOptions defaults = DeliveryCommand.parse();
        assertThat(defaults).isEqualTo(new DeliveryOptions(100_000, 10_000, 100, 1024, 64, Duration.ofSeconds(5), null,
                true, true, 100_000, Duration.ofMinutes(10), 1, Duration.ofMinutes(10), 2, Map.of()));
        assertThat(defaults.describe()).contains("tasks=100000 warmUp=10000 subscriptions=100", "slowTimeout=5000ms",
                "pendingRetries=100000");
    }

    @Test
    void theWarmUpIsATenthOfTheTasksUnlessGiven() {
        assertThat(DeliveryCommand.parse("--tasks", "5000").warmUp()).isEqualTo(500);
        assertThat(DeliveryCommand.parse("--tasks", "5").warmUp()).isEqualTo(1);
        assertThat(DeliveryCommand.parse("--tasks", "500", "--warmup", "7000").warmUp()).isEqualTo(7000);
        assertThat(DeliveryCommand.parse("--warmup", "7000", "--tasks", "500").warmUp()).isEqualTo(7000);
    }

    @Test
    void everyOptionInBothSpellings() {
        DeliveryOptions o = DeliveryCommand.parse("--tasks=5000", "--warmup", "200", "--subscriptions", "10",
                "--payload", "256", "--concurrency=32", "--max-in-flight", "20", "--slow-timeout", "2s",
                "--no-baseline", "--no-isolation", "--pending-retries", "5_000", "--pending-delay=30m",
                "--pending-rounds", "2", "--drain-timeout", "90s", "--receiver-threads", "3",
                "--env", "HOOKLINE_DELIVERY_IO_THREADS=2", "--env=HOOKLINE_X=a=b");
        assertThat(o).isEqualTo(new DeliveryOptions(5000, 200, 10, 256, 32, Duration.ofSeconds(2), 20, false, false,
                5000, Duration.ofMinutes(30), 2, Duration.ofSeconds(90), 3,
                Map.of("HOOKLINE_DELIVERY_IO_THREADS", "2", "HOOKLINE_X", "a=b")));
    }

    @Test
    void noPendingRetriesMeansNoneWhateverTheCount() {
        assertThat(DeliveryCommand.parse("--no-pending-retries").pendingRetries()).isZero();
        assertThat(DeliveryCommand.parse("--pending-retries", "5000", "--no-pending-retries").pendingRetries()).isZero();
        assertThat(DeliveryCommand.parse("--no-pending-retries").describe()).doesNotContain("pendingRetries");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--tasks 0                | Invalid value for option '--tasks': must be positive, got 0",
        "--warmup 0               | Invalid value for option '--warmup': must be positive, got 0",
        "--subscriptions -1       | Invalid value for option '--subscriptions': must be positive, got -1",
        "--payload big            | Invalid value for option '--payload': must be an integer, got 'big'",
        "--concurrency 0          | Invalid value for option '--concurrency': must be positive, got 0",
        "--max-in-flight 0        | Invalid value for option '--max-in-flight': must be positive, got 0",
        "--slow-timeout 5sec      | Invalid value for option '--slow-timeout': must be a duration such as 500ms, 30s or 5m, got '5sec'",
        "--pending-retries 0      | Invalid value for option '--pending-retries': must be positive, got 0",
        "--pending-delay later    | Invalid value for option '--pending-delay': must be a duration such as 500ms, 30s or 5m, got 'later'",
        "--pending-rounds 0       | Invalid value for option '--pending-rounds': must be positive, got 0",
        "--drain-timeout -10m     | Invalid value for option '--drain-timeout': must not be negative, got '-10m'",
        "--receiver-threads 0     | Invalid value for option '--receiver-threads': must be positive, got 0",
        "--env =2                 | Invalid value for option '--env' (KEY=VALUE): needs KEY=VALUE, got '=2'",
        "--no-baseline=maybe      | Invalid value for option '--no-baseline': 'maybe' is not a boolean",
        "--what 1                 | Unknown options: '--what', '1'",
        "--tasks                  | Missing required parameter for option '--tasks' (N)",
        "100000                   | Unmatched argument at index 0: '100000'",
    })
    void badInputNamesTheOption(String args, String message) {
        assertThatThrownBy(() -> DeliveryCommand.parse(args.split(" "))).isInstanceOf(ParameterException.class)
                .hasMessage(message);
    }

    @Test
    void usageListsEveryOptionWithItsDescription() {
        String usage = BenchCommandLine.usage(new DeliveryCommand());
        assertThat(usage).startsWith("Usage: java -jar hookline-bench.jar delivery [OPTIONS]");
        assertThat(usage).contains(
                "--tasks=N", "delivery tasks per phase, written straight to hookline.deliveries (default 100000)",
                "--warmup=N", "tasks delivered before measuring (default a tenth of --tasks)",
                "--subscriptions=N", "subscriptions the tasks are spread over (default 100)",
                "--payload=BYTES", "event payload size (default 1024)",
                "--concurrency=N", "requests in flight of the raw consumer baseline (default 64)",
                "--max-in-flight=N", "the subscriptions' maxInFlight (default: the dispatcher's default)",
                "--slow-timeout=D", "timeout of the one hanging endpoint in the isolation phase (default 5s)",
                "--no-baseline", "skip the raw KafkaConsumer -> HTTP baseline",
                "--no-isolation", "skip the phase with one endpoint that always times out",
                "--pending-retries=N", "retries parked in a delay tier before the pending-retries phase (default 100000)",
                "--pending-delay=D", "when they are due, and the tier they wait in: one of the dispatcher's tiers",
                "(default 10m; the phase must end before then)",
                "--pending-rounds=N", "alternate the phases without and with pending retries N times (default 1);",
                "between rounds the parked retries are deleted from their topic",
                "--no-pending-retries", "skip the phase with retries pending",
                "--drain-timeout=D", "wait this long for each phase's deliveries (default 10m)",
                "--receiver-threads=N", "event-loop threads of the local receiver (default 2)",
                "--env=KEY=VALUE", "extra setting for the standalone, repeatable",
                "-h, --help");
    }
}
