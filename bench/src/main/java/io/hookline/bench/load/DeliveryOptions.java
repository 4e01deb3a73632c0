package io.hookline.bench.load;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of one {@link DeliveryDriver} run, as {@link DeliveryCommand} parses them from the command line.
 *
 * @param tasks          delivery tasks per phase (the backlog)
 * @param warmUp         tasks delivered before the first measured phase
 * @param subscriptions  subscriptions the tasks are spread over, round robin
 * @param payloadBytes   event payload size in each task
 * @param concurrency    requests in flight of the raw consumer baseline
 * @param slowTimeout    the timing-out subscription's {@code timeoutMs} in the isolation phase
 * @param maxInFlight    the subscriptions' {@code maxInFlight}; null = the dispatcher's default
 * @param pendingRetries retries parked in a delay tier before the pending-retries phase; 0 = no such phase
 * @param pendingDelay   how far in the future the parked retries are due; also the tier they are written to
 * @param pendingRounds  how many times the phases without and with pending retries alternate
 */
public record DeliveryOptions(int tasks, int warmUp, int subscriptions, int payloadBytes, int concurrency, Duration slowTimeout,
                              Integer maxInFlight, boolean baseline, boolean isolation, int pendingRetries,
                              Duration pendingDelay, int pendingRounds, Duration drainTimeout, int receiverThreads,
                              Map<String, String> env) {

    public String describe() {
        return "tasks=" + tasks + " warmUp=" + warmUp + " subscriptions=" + subscriptions + " payload=" + payloadBytes + "B"
                + " baselineConcurrency=" + concurrency + (maxInFlight != null ? " maxInFlight=" + maxInFlight : "")
                + (isolation ? " slowTimeout=" + slowTimeout.toMillis() + "ms" : "")
                + (pendingRetries > 0 ? " pendingRetries=" + pendingRetries + " due in " + pendingDelay + " rounds="
                + pendingRounds : "")
                + (env.isEmpty() ? "" : " env=" + env);
    }
}
