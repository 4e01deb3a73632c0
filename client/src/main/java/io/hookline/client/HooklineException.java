package io.hookline.client;

import java.util.Optional;

/**
 * A publish did not succeed. Subclasses say why:
 * <ul>
 *   <li>{@link HooklineRejectedException} — the gateway refused the request (bad payload, unknown topic, bad key…);
 *       sending it again will not help.</li>
 *   <li>{@link HooklineUnavailableException} — the gateway kept answering 503/429 (or 502/504) until the retry policy
 *       gave up; try again later.</li>
 *   <li>{@link HooklineConnectionException} — the gateway could not be reached, or did not answer in time, on any
 *       attempt; try again later.</li>
 * </ul>
 * For the last two the event may or may not have been stored. Publishing again with the same
 * {@link #idempotencyKey() idempotency key} is always safe: the gateway then answers with the original event id
 * instead of storing a duplicate.
 */
public class HooklineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Problem problem;
    private final int attempts;
    private final String idempotencyKey;

    public HooklineException(String message, Throwable cause) {
        this(message, cause, 0, null, 0, null);
    }

    protected HooklineException(String message, Throwable cause, int status, Problem problem, int attempts,
                                String idempotencyKey) {
        super(message, cause);
        this.status = status;
        this.problem = problem;
        this.attempts = attempts;
        this.idempotencyKey = idempotencyKey;
    }

    /** The HTTP status of the last response, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /** The problem document of the last response, when the gateway sent one. */
    public Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }

    /** How many requests were sent (or tried) before giving up; 0 when none was. */
    public int attempts() {
        return attempts;
    }

    /**
     * The idempotency key the publish used (the caller's, or the one the client generated); publishing again with
     * it cannot create a duplicate. Empty for batch publishes, whose keys are per item.
     */
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    /** Whether trying again later may succeed (the gateway was unreachable or overloaded, not refusing). */
    public boolean isRetryable() {
        return false;
    }
}
