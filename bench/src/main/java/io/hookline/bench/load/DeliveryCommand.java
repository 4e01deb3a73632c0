package io.hookline.bench.load;

import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.bench.cli.OptionConverters;
import io.hookline.bench.cli.OptionConverters.PositiveInt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hookline-bench.jar delivery}: the options of a {@link DeliveryDriver} run, which it then runs. */
@Command(name = "delivery", sortOptions = false, customSynopsis = "java -jar hookline-bench.jar delivery [OPTIONS]",
        description = {
            "The delivery stage alone: a backlog of delivery tasks written straight to hookline.deliveries, measured as",
            "deliveries/s at a local receiver, against a raw KafkaConsumer -> HTTP baseline, with one endpoint that",
            "always times out (isolation) and with retries pending in a delay tier.",
            ""})
public final class DeliveryCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "--tasks", paramLabel = "N", defaultValue = "100000", converter = PositiveInt.class,
            description = "delivery tasks per phase, written straight to hookline.deliveries (default ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--warmup", paramLabel = "N", converter = PositiveInt.class,
            description = "tasks delivered before measuring (default a tenth of --tasks)")
    Integer warmUp;

    @Option(names = "--subscriptions", paramLabel = "N", defaultValue = "100", converter = PositiveInt.class,
            description = "subscriptions the tasks are spread over (default ${DEFAULT-VALUE})")
    int subscriptions;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "1024", converter = PositiveInt.class,
            description = "event payload size (default ${DEFAULT-VALUE})")
    int payloadBytes;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64", converter = PositiveInt.class,
            description = "requests in flight of the raw consumer baseline (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--max-in-flight", paramLabel = "N", converter = PositiveInt.class,
            description = "the subscriptions' maxInFlight (default: the dispatcher's default)")
    Integer maxInFlight;

    @Option(names = "--slow-timeout", paramLabel = "D", defaultValue = "5s",
            converter = OptionConverters.Duration.class,
            description = "timeout of the one hanging endpoint in the isolation phase (default ${DEFAULT-VALUE})")
    Duration slowTimeout;

    @Option(names = "--no-baseline", description = "skip the raw KafkaConsumer -> HTTP baseline")
    boolean noBaseline;

    @Option(names = "--no-isolation", description = "skip the phase with one endpoint that always times out")
    boolean noIsolation;

    @Option(names = "--pending-retries", paramLabel = "N", defaultValue = "100000", converter = PositiveInt.class,
            description = "retries parked in a delay tier before the pending-retries phase (default ${DEFAULT-VALUE})")
    int pendingRetries;

    @Option(names = "--pending-delay", paramLabel = "D", defaultValue = "10m",
            converter = OptionConverters.Duration.class,
            description = {"when they are due, and the tier they wait in: one of the dispatcher's tiers",
                "(default ${DEFAULT-VALUE}; the phase must end before then)"})
    Duration pendingDelay;

    @Option(names = "--pending-rounds", paramLabel = "N", defaultValue = "1", converter = PositiveInt.class,
            description = {"alternate the phases without and with pending retries N times (default ${DEFAULT-VALUE});",
                "between rounds the parked retries are deleted from their topic"})
    int pendingRounds;

    @Option(names = "--no-pending-retries", description = "skip the phase with retries pending")
    boolean noPendingRetries;

    @Option(names = "--drain-timeout", paramLabel = "D", defaultValue = "10m",
            converter = OptionConverters.Duration.class,
            description = "wait this long for each phase's deliveries (default ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(names = "--receiver-threads", paramLabel = "N", defaultValue = "2", converter = PositiveInt.class,
            description = "event-loop threads of the local receiver (default ${DEFAULT-VALUE})")
    int receiverThreads;

    @Option(names = "--env", paramLabel = "KEY=VALUE", converter = OptionConverters.Setting.class,
            description = "extra setting for the standalone, repeatable")
    List<Map.Entry<String, String>> env = new ArrayList<>();

    /** The options {@code args} ask for; a bad or unknown option throws picocli's {@code ParameterException}. */
    public static DeliveryOptions parse(String... args) {
        return BenchCommandLine.parse(new DeliveryCommand(), args).options();
    }

    DeliveryOptions options() {
        return new DeliveryOptions(tasks, warmUp != null ? warmUp : Math.max(1, tasks / 10), subscriptions,
                payloadBytes, concurrency, slowTimeout, maxInFlight, !noBaseline, !noIsolation,
                noPendingRetries ? 0 : pendingRetries, pendingDelay, pendingRounds, drainTimeout, receiverThreads,
                OptionConverters.settings(env));
    }

    @Override
    public Integer call() throws Exception {
        return new DeliveryDriver(options()).run();
    }
}
