package io.hookline.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The gateway answered 503 (Kafka cannot take the event right now), 429 (the tenant is over its publish quota)
 * or 502/504 (a proxy in front of it failed) on every attempt the retry policy allowed, or asked for a
 * {@code Retry-After} longer than the policy's {@link RetryPolicy#maxRetryAfter()}. The event was not stored;
 * publishing again later with the same idempotency key is safe.
 */
public class HooklineUnavailableException extends HooklineException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    HooklineUnavailableException(String message, int status, Problem problem, Duration retryAfter, int attempts,
                                 String idempotencyKey) {
        super(message, null, status, problem, attempts, idempotencyKey);
        this.retryAfter = retryAfter;
    }

    /** The {@code Retry-After} of the last response, when it had one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
