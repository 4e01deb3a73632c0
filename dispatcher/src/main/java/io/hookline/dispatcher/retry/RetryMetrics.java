package io.hookline.dispatcher.retry;

import io.hookline.common.kafka.DelayTiers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the retry path counts (names as docs/metrics.md and the dashboard expect): retries scheduled per tier,
 * how late retries start compared to their due time, dead letters by reason.
 */
public final class RetryMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> scheduled = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Timer lateness;

    public RetryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lateness = Timer.builder("hookline.retry.lateness")
                .description("How long after its due time a retry attempt started")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    public void scheduled(Duration tier) {
        String label = DelayTiers.label(tier);
        scheduled.computeIfAbsent(label, t -> Counter.builder("hookline.retry.scheduled")
                .description("Retries written to a delay tier").tag("tier", t).register(registry)).increment();
    }

    public void lateness(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    public void deadLettered(String reason) {
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("hookline.dlq.writes")
                .description("Tasks written to the dead-letter topic").tag("reason", r).register(registry))
                .increment();
    }
}
