package io.hookline.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's own meters: events published (acknowledged by Kafka), events rejected by reason (the problem type:
 * {@code unauthorized}, {@code not-found}, {@code malformed-json}, {@code invalid-field}, {@code too-many-requests},
 * {@code unavailable}, ...), the time from handing an event to Kafka to its acknowledgement, and what is in flight.
 * Tags stay low-cardinality: no topic or tenant names.
 */
final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Counter published;
    private final Timer ackLatency;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.published = Counter.builder("hookline.gateway.events.published")
                .description("Events Kafka acknowledged (each answered 202 or a successful batch item)")
                .register(registry);
        this.ackLatency = Timer.builder("hookline.gateway.kafka.ack.latency")
                .description("Time from handing an event to the Kafka producer to its acknowledgement")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    void published(int events) {
        published.increment(events);
    }

    void acknowledged(long nanos) {
        ackLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts events refused, by reason; a refused request counts once per event it carried (at least one). */
    void rejected(String reason, int events) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("hookline.gateway.events.rejected")
                .description("Events refused, by reason (the problem type)")
                .tag("reason", r)
                .register(registry)).increment(Math.max(1, events));
    }

    void inFlightGauges(Supplier<Number> events, Supplier<Number> bytes) {
        Gauge.builder("hookline.gateway.inflight.events", events).description("Events awaiting Kafka's ack")
                .register(registry);
        Gauge.builder("hookline.gateway.inflight.bytes", bytes).description("Bytes of events awaiting Kafka's ack")
                .baseUnit("bytes").register(registry);
    }

    double publishedCount() {
        return published.count();
    }

    double rejectedCount(String reason) {
        Counter c = rejected.get(reason);
        return c == null ? 0 : c.count();
    }
}
