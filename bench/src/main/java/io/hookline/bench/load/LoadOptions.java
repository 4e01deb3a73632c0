package io.hookline.bench.load;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of one {@link LoadDriver} run, as {@link LoadCommand} parses them from the command line.
 *
 * @param events        events to publish (with {@code duration}: at most this many)
 * @param concurrency   requests in flight at once, for the gateway and for the direct baseline alike
 * @param fanOut        subscriptions on the benchmark topic, so each event is delivered this many times; 0 measures
 *                      publishing alone
 * @param wildcard      subscribe with {@code bench.*} instead of the exact topic name
 * @param payloadBytes  size of each event's JSON payload
 * @param batchSize     0 = one event per request; n = batch publish of n events per request
 * @param rate          target events per second (open loop, latency measured from the intended send time); 0 = flat out
 * @param duration      publish for this long at most; zero = until {@code events} were sent
 * @param warmupEvents  events published and delivered before measuring (JIT, connections), not counted
 * @param partitions    partitions of the benchmark events topic
 * @param maxInFlight   the subscriptions' {@code maxInFlight}; null = the dispatcher's default
 * @param drainTimeout  how long to wait for every expected delivery after publishing ended
 * @param env           extra {@code HOOKLINE_*} settings for the standalone (e.g. HOOKLINE_FANOUT_THREADS=2)
 */
public record LoadOptions(int events, int concurrency, int fanOut, boolean wildcard, int payloadBytes, int batchSize,
                          double rate, Duration duration, int warmupEvents, int partitions, Integer maxInFlight,
                          Duration drainTimeout, boolean directBaseline, boolean kafkaBaseline, int receiverThreads,
                          Map<String, String> env) {

    /** One line describing the run, for the report. */
    public String describe() {
        return "events=" + events + " concurrency=" + concurrency + " fanout=" + fanOut
                + (wildcard ? " (wildcard)" : "") + " payload=" + payloadBytes + "B"
                + " mode=" + (batchSize > 0 ? "batch(" + batchSize + ")" : "single")
                + " rate=" + (rate > 0 ? rate + "/s" : "flat-out")
                + (duration.isZero() ? "" : " duration=" + duration.toSeconds() + "s")
                + " partitions=" + partitions + (maxInFlight != null ? " maxInFlight=" + maxInFlight : "")
                + (env.isEmpty() ? "" : " env=" + env);
    }
}
