package io.hookline.bench.load;

import io.hookline.bench.cli.BenchCommandLine;
import io.hookline.bench.cli.OptionConverters;
import io.hookline.bench.cli.OptionConverters.NonNegativeInt;
import io.hookline.bench.cli.OptionConverters.PositiveInt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code hookline-bench.jar load}: the options of a {@link LoadDriver} run, which it then runs. */
@Command(name = "load", sortOptions = false, customSynopsis = "java -jar hookline-bench.jar load [OPTIONS]",
        description = {
            "End-to-end load on the whole of Hookline in this JVM (embedded broker and PostgreSQL, registrar, gateway,",
            "dispatcher) with a local receiver, against a direct POST baseline and a raw Kafka producer baseline.",
            ""})
public final class LoadCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "--events", paramLabel = "N", defaultValue = "20000", converter = PositiveInt.class,
            description = "events to publish (default ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64", converter = PositiveInt.class,
            description = "requests in flight, gateway and direct baseline alike (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--fanout", paramLabel = "N", defaultValue = "1", converter = NonNegativeInt.class,
            description = {"subscriptions on the topic = deliveries per event (default ${DEFAULT-VALUE};",
                "0 = publish only: the gateway and the fan-out's reading, no deliveries)"})
    int fanOut;

    @Option(names = "--wildcard", description = "subscribe with 'bench.*' instead of the exact topic name")
    boolean wildcard;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "1024", converter = PositiveInt.class,
            description = "JSON payload size per event (default ${DEFAULT-VALUE})")
    int payloadBytes;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "0", converter = NonNegativeInt.class,
            description = "batch publish, N events per request (default ${DEFAULT-VALUE} = single publish)")
    int batchSize;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0", converter = Rate.class,
            description = "target events/s, open loop (default ${DEFAULT-VALUE} = flat out)")
    double rate;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "0s", converter = OptionConverters.Duration.class,
            description = "publish at most this long, e.g. 60s (default: until --events were sent)")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2000", converter = NonNegativeInt.class,
            description = "events published and delivered before measuring (default ${DEFAULT-VALUE})")
    int warmupEvents;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6", converter = PositiveInt.class,
            description = "partitions of the benchmark events topic (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--max-in-flight", paramLabel = "N", converter = PositiveInt.class,
            description = "the subscriptions' maxInFlight (default: the dispatcher's default)")
    Integer maxInFlight;

    @Option(names = "--drain-timeout", paramLabel = "D", defaultValue = "5m",
            converter = OptionConverters.Duration.class,
            description = "wait this long for all deliveries after publishing (default ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(names = "--receiver-threads", paramLabel = "N", defaultValue = "2", converter = PositiveInt.class,
            description = "event-loop threads of the local receiver (default ${DEFAULT-VALUE})")
    int receiverThreads;

    @Option(names = "--no-direct-baseline", description = "skip the direct POST baseline")
    boolean noDirectBaseline;

    @Option(names = "--no-kafka-baseline", description = "skip the raw Kafka producer baseline")
    boolean noKafkaBaseline;

    @Option(names = "--env", paramLabel = "KEY=VALUE", converter = OptionConverters.Setting.class,
            description = "extra setting for the standalone, repeatable (e.g. HOOKLINE_FANOUT_THREADS=2)")
    List<Map.Entry<String, String>> env = new ArrayList<>();

    /** The options {@code args} ask for; a bad or unknown option throws picocli's {@code ParameterException}. */
    public static LoadOptions parse(String... args) {
        return BenchCommandLine.parse(new LoadCommand(), args).options();
    }

    LoadOptions options() {
        return new LoadOptions(events, concurrency, fanOut, wildcard, payloadBytes, batchSize, rate, duration,
                warmupEvents, partitions, maxInFlight, drainTimeout, !noDirectBaseline, !noKafkaBaseline,
                receiverThreads, OptionConverters.settings(env));
    }

    @Override
    public Integer call() throws Exception {
        return new LoadDriver(options()).run();
    }

    /** Events per second: zero (flat out) or more, finite. */
    static final class Rate implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double r;
            try {
                r = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                r = Double.NaN;
            }
            if (r < 0 || Double.isNaN(r) || Double.isInfinite(r)) {
                throw new TypeConversionException("must be a non-negative number of events/s, got '" + text + "'");
            }
            return r;
        }
    }
}
