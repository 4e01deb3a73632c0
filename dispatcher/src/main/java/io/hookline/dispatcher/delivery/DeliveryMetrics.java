package io.hookline.dispatcher.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the delivery stage counts: attempts by outcome and status class, their latency, requests in flight, tasks
 * queued behind limits, rate-limit waits and tasks skipped because their subscription went away. Per-partition
 * lag comes from the consumer's own metrics (bound in {@link DeliveryStage}).
 */
final class DeliveryMetrics {
    private final MeterRegistry registry;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    private final Counter rateLimitedWaits;
    private final Counter undecodable;
    private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
    private final Map<AttemptOutcome.Kind, Timer> latency = new ConcurrentHashMap<>();
    /** Subscriptions per circuit-breaker state; "closed" counts only breakers with failures to remember. */
    private final Map<CircuitBreaker.State, AtomicInteger> breakers = new java.util.EnumMap<>(CircuitBreaker.State.class);
    private final Map<CircuitBreaker.State, Counter> transitions = new java.util.EnumMap<>(CircuitBreaker.State.class);

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("hookline.delivery.in.flight", inFlight, AtomicInteger::get)
                .description("Webhook requests in flight").register(registry);
        Gauge.builder("hookline.delivery.queued", queued, AtomicInteger::get)
                .description("Tasks waiting for their subscription's in-flight or rate limit").register(registry);
        rateLimitedWaits = Counter.builder("hookline.delivery.rate.limited")
                .description("Times a subscription waited for its rate limit").register(registry);
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            AtomicInteger count = new AtomicInteger();
            breakers.put(state, count);
            Gauge.builder("hookline.breaker.subscriptions", count, AtomicInteger::get)
                    .description("Subscriptions per circuit-breaker state on this instance")
                    .tag("state", state.label()).register(registry);
            transitions.put(state, Counter.builder("hookline.breaker.transitions")
                    .description("Circuit-breaker state changes, by the state entered")
                    .tag("to", state.label()).register(registry));
        }
        undecodable = Counter.builder("hookline.delivery.undecodable")
                .description("Records on the deliveries topic that are not delivery tasks").register(registry);
    }

    void attempt(AttemptOutcome outcome, HttpExchange exchange) {
        String statusClass = exchange.status() == 0 ? "none" : exchange.status() / 100 + "xx";
        // Meters are looked up once per (outcome, status class), not built per attempt.
        deliveries.computeIfAbsent(outcome.kind().label() + '/' + statusClass, key -> Counter.builder("hookline.deliveries")
                .description("Delivery attempts by outcome").tag("outcome", outcome.kind().label())
                .tag("status_class", statusClass).register(registry)).increment();
        latency.computeIfAbsent(outcome.kind(), kind -> Timer.builder("hookline.delivery.latency")
                .description("Time from send to complete response or failure").tag("outcome", kind.label())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry)).record(exchange.latency());
    }

    void skipped(String reason) {
        Counter.builder("hookline.delivery.skipped").description("Tasks not sent because of their subscription")
                .tag("reason", reason).register(registry).increment();
    }

    /**
     * A breaker moved from {@code from} to {@code to}; null = not tracked (new or forgotten). Counted as a transition
     * when it opens, turns half-open, or stops holding requests back (closed by a success, or dropped with its
     * deleted or disabled subscription).
     */
    void breakerMoved(CircuitBreaker.State from, CircuitBreaker.State to) {
        if (from == to) {
            return;
        }
        boolean wasHolding = from == CircuitBreaker.State.OPEN || from == CircuitBreaker.State.HALF_OPEN;
        if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.HALF_OPEN) {
            transitions.get(to).increment();
        } else if (wasHolding) {
            transitions.get(CircuitBreaker.State.CLOSED).increment();
        }
        if (from != null) {
            breakers.get(from).decrementAndGet();
        }
        if (to != null) {
            breakers.get(to).incrementAndGet();
        }
    }

    void rateLimited() {
        rateLimitedWaits.increment();
    }

    void undecodable() {
        undecodable.increment();
    }
}
