package io.hookline.bench.gateway;

import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.bench.cli.OptionConverters;
import io.hookline.bench.cli.OptionConverters.NonNegativeInt;
import io.hookline.bench.cli.OptionConverters.PositiveInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hookline-bench.jar gateway}: the options of a {@link GatewayBench} run, which it then runs. */
@Command(name = "gateway", sortOptions = false, customSynopsis = "java -jar hookline-bench.jar gateway [OPTIONS]",
        description = {
            "Starts an embedded KRaft broker and the ingest gateway in this JVM, registers topic bench.events and a",
            "tenant API key, and measures with wrk / h2load run as child processes (they must be on the PATH):",
            "  kafka   raw KafkaProducer (acks=all, idempotent, the gateway's linger/batch), 1208-byte records",
            "  single  wrk, one 1 KiB event per request over keep-alive connections, flat out",
            "  batch   wrk, batch publish of --batch events per request, flat out",
            "  rate    h2load at a fixed --rate, latency per request from its log",
            "Every phase prints its rate, latency and how many cores the gateway, the broker, the load generator",
            "and the rest of the machine used.",
            ""})
public final class GatewayCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "--phases", paramLabel = "LIST", defaultValue = "kafka,single,batch,rate",
            description = "comma-separated subset of kafka,single,batch,rate (default all)")
    String phases;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "30", converter = PositiveInt.class,
            description = "length of each measured phase (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "15", converter = NonNegativeInt.class,
            description = {"seconds of single publish (then N/3 of batch and a fifth of the raw",
                "records) before measuring, not reported (default ${DEFAULT-VALUE})"})
    int warmupSeconds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", converter = PositiveInt.class,
            description = "wrk threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "128", converter = PositiveInt.class,
            description = "connections of the single phase (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100", converter = PositiveInt.class,
            description = "events per batch request (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--batch-connections", paramLabel = "N", defaultValue = "16", converter = PositiveInt.class,
            description = "connections of the batch phase (default ${DEFAULT-VALUE})")
    int batchConnections;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "5000", converter = PositiveInt.class,
            description = "events/s of the rate phase (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--rate-connections", paramLabel = "N", defaultValue = "250", converter = PositiveInt.class,
            description = "connections of the rate phase (default ${DEFAULT-VALUE}; at most --rate)")
    int rateConnections;

    @Option(names = "--kafka-records", paramLabel = "N", defaultValue = "500000", converter = PositiveInt.class,
            description = "records of the raw producer baseline (default ${DEFAULT-VALUE})")
    int kafkaRecords;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6", converter = PositiveInt.class,
            description = "partitions of bench.events (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--serve", description = "start, print the wrk/h2load commands, wait until killed")
    boolean serve;

    @Option(names = "--env", paramLabel = "KEY=VALUE", converter = OptionConverters.Setting.class,
            description = "extra gateway setting, repeatable (e.g. HOOKLINE_KAFKA_LINGER_MS=5)")
    List<Map.Entry<String, String>> env = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** The options {@code args} ask for; a bad or unknown option throws picocli's {@code ParameterException}. */
    public static GatewayBenchOptions parse(String... args) {
        return BenchCommandLine.parse(new GatewayCommand(), args).options();
    }

    GatewayBenchOptions options() {
        // The phases always run in the same order, whatever order they were asked in, so runs compare.
        List<String> asked = new ArrayList<>(Arrays.asList(phases.split(",")));
        Set<String> ordered = new LinkedHashSet<>();
        for (String phase : GatewayBenchOptions.ALL_PHASES) {
            if (asked.removeIf(phase::equals)) {
                ordered.add(phase);
            }
        }
        asked.removeIf(String::isBlank);
        if (!asked.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--phases': unknown phases "
                    + asked + "; known: " + GatewayBenchOptions.ALL_PHASES);
        }
        if (ordered.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--phases': names no phase; "
                    + "known: " + GatewayBenchOptions.ALL_PHASES);
        }
        if (rateConnections > rate) {
            throw new ParameterException(spec.commandLine(),
                    "--rate-connections must not exceed --rate (each connection sends at least 1/s)");
        }
        return new GatewayBenchOptions(Collections.unmodifiableSet(ordered), seconds, warmupSeconds, threads,
                connections, batchSize, batchConnections, rate, rateConnections, kafkaRecords, partitions, serve,
                OptionConverters.settings(env));
    }

    @Override
    public Integer call() throws Exception {
        return GatewayBench.run(options());
    }
}
