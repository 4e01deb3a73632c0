package io.hookline.common.http;

/** A dependency (database, Kafka) cannot serve right now: answered as 503 with Retry-After, never as a 500. */
public final class DependencyUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
