package io.hookline.bench;

import io.hookline.bench.gateway.GatewayBench;
import io.hookline.bench.jmh.IndexHeapReport;
import io.hookline.bench.load.DeliveryDriver;
import io.hookline.bench.load.LoadDriver;
import java.util.Arrays;

/**
 * Entry point of {@code hookline-bench.jar}:
 * <pre>
 *   java -jar hookline-bench.jar load [options]          end-to-end load driver (--help for options)
 *   java -jar hookline-bench.jar delivery [options]      delivery stage: backlog, raw baseline, isolation
 *   java -jar hookline-bench.jar gateway [options]       ingest gateway + broker, load from wrk/h2load (--help)
 *   java -jar hookline-bench.jar index-memory [sizes]    SubscriptionIndex retained heap
 *   java -jar hookline-bench.jar registrar-propagation [n]  registrar change -> hookline.subscriptions delay
 *   java -jar hookline-bench.jar replay-rate [n] [rates]   replay jobs: requested vs achieved rate
 *   java -jar hookline-bench.jar [JMH options]           JMH benchmarks (e.g. -l to list, -h for help)
 * </pre>
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "load" -> LoadDriver.main(rest);
            case "delivery" -> DeliveryDriver.main(rest);
            case "gateway" -> GatewayBench.main(rest);
            case "index-memory" -> IndexHeapReport.main(rest);
            case "registrar-propagation" -> io.hookline.bench.registrar.RegistrarPropagation.main(rest);
            case "replay-rate" -> io.hookline.bench.replay.ReplayRate.main(rest);
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            default -> org.openjdk.jmh.Main.main(args);
        }
    }
}
