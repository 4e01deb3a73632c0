package io.hookline.bench.gateway;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one {@link GatewayBench} run, as {@link GatewayCommand} parses them from the command line.
 *
 * @param phases             which phases run, in this order: kafka, single, batch, rate
 * @param seconds            length of each measured wrk/h2load phase
 * @param warmupSeconds      wrk single publish for this long, then batch for a third of it, and a fifth of the raw
 *                           producer's records, before the first measured phase (JIT, connections); not reported
 * @param threads            wrk threads
 * @param connections        keep-alive connections of the single-publish phase
 * @param batchSize          events per batch request
 * @param batchConnections   connections of the batch phase
 * @param rate               events per second of the fixed-rate latency phase
 * @param rateConnections    connections of the fixed-rate phase (each sends {@code rate / rateConnections} per second)
 * @param kafkaRecords       records the raw producer baseline sends
 * @param partitions         partitions of the benchmark events topic
 * @param serve              start, print the commands to run by hand, and wait until killed (no phases)
 * @param env                extra {@code HOOKLINE_*} settings for the gateway (e.g. HOOKLINE_KAFKA_LINGER_MS=5)
 */
public record GatewayBenchOptions(Set<String> phases, int seconds, int warmupSeconds, int threads, int connections,
                                  int batchSize, int batchConnections, int rate, int rateConnections, int kafkaRecords,
                                  int partitions, boolean serve, Map<String, String> env) {

    static final List<String> ALL_PHASES = List.of("kafka", "single", "batch", "rate");

    /** Requests per second each connection of the rate phase sends (h2load's --rps is per client). */
    public int ratePerConnection() {
        return Math.max(1, Math.round((float) rate / rateConnections));
    }
}
