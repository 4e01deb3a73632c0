package io.hookline.client;

/**
 * The gateway refused the request with a status that retrying cannot fix: 400 malformed, 401/403 bad or
 * under-privileged API key, 404 unknown topic, 413 too large, 415 not JSON, 422 payload fails the topic's schema,
 * or another non-retryable status. Nothing was stored.
 */
public class HooklineRejectedException extends HooklineException {
    private static final long serialVersionUID = 1L;

    HooklineRejectedException(String message, Problem problem, int attempts, String idempotencyKey) {
        super(message, null, problem.status(), problem, attempts, idempotencyKey);
    }

    /** The problem document (synthesised from the status line when the gateway sent none). */
    public Problem rejection() {
        return problem().orElseThrow();
    }

    public String title() {
        return rejection().title();
    }

    public String detail() {
        return rejection().detail();
    }

    /** The request field at fault, e.g. {@code payload.amount}, or null. */
    public String field() {
        return rejection().field();
    }
}
