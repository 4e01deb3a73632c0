package io.hookline.dispatcher.fanout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/** What the fan-out stage counts: events in by outcome, tasks out, and the fan-out size of each event. */
final class FanOutMetrics {
    private final Counter fannedOut;
    private final Counter noMatch;
    private final Counter duplicates;
    private final Counter undecodable;
    private final Counter tasks;
    private final DistributionSummary fanOutSize;

    FanOutMetrics(MeterRegistry registry) {
        fannedOut = events(registry, "fanned_out");
        noMatch = events(registry, "no_match");
        duplicates = events(registry, "duplicate");
        undecodable = events(registry, "undecodable");
        tasks = Counter.builder("hookline.fanout.tasks").description("Delivery tasks written").register(registry);
        fanOutSize = DistributionSummary.builder("hookline.fanout.size")
                .description("Matching subscriptions per event").publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(1, 2, 10, 100, 1000).register(registry);
    }

    private static Counter events(MeterRegistry registry, String outcome) {
        return Counter.builder("hookline.fanout.events").description("Events read by the fan-out stage")
                .tag("outcome", outcome).register(registry);
    }

    void fannedOut(int size) {
        (size == 0 ? noMatch : fannedOut).increment();
        tasks.increment(size);
        fanOutSize.record(size);
    }

    void duplicate() {
        duplicates.increment();
    }

    void undecodable() {
        undecodable.increment();
    }
}
