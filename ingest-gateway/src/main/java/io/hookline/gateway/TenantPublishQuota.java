package io.hookline.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Per-tenant publish rate limits of this gateway instance: one token bucket per tenant holding at most one second's
 * worth of events, refilled continuously. A request takes all of its events' tokens or none, so a batch is either
 * admitted whole or refused whole (429) and never half-published. The limit is per instance: with N gateways behind
 * a balancer a tenant may publish up to N times the rate.
 */
final class TenantPublishQuota {

    /** Whether a request may go ahead, and if not, when it could. */
    record Decision(boolean admitted, int retryAfterSeconds) {
        static final Decision ADMITTED = new Decision(true, 0);
    }

    private final ToIntFunction<String> rateOf;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    TenantPublishQuota(ToIntFunction<String> rateOf) {
        this(rateOf, System::nanoTime);
    }

    TenantPublishQuota(ToIntFunction<String> rateOf, LongSupplier nanoClock) {
        this.rateOf = rateOf;
        this.nanoClock = nanoClock;
    }

    Decision tryAcquire(String tenant, int events) {
        int rate = rateOf.applyAsInt(tenant);
        if (rate <= 0) {
            return Decision.ADMITTED;
        }
        Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(rate, nanoClock.getAsLong()));
        return bucket.take(rate, events, nanoClock.getAsLong());
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(int rate, long now) {
            this.tokens = rate;
            this.refilledAt = now;
        }

        synchronized Decision take(int rate, int events, long now) {
            double capacity = rate;
            tokens = Math.min(capacity, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            if (events > capacity) {
                // Larger than a whole second's allowance: it can never fit, so admit it only into a full bucket
                // (and drain it), rather than refusing it forever.
                if (tokens >= capacity) {
                    tokens -= events;
                    return Decision.ADMITTED;
                }
                return new Decision(false, seconds((capacity - tokens) / rate));
            }
            if (tokens >= events) {
                tokens -= events;
                return Decision.ADMITTED;
            }
            return new Decision(false, seconds((events - tokens) / rate));
        }

        private static int seconds(double wait) {
            return (int) Math.max(1, Math.ceil(wait));
        }
    }
}
