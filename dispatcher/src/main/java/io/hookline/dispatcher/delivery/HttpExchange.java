package io.hookline.dispatcher.delivery;

import java.time.Duration;

/**
 * What one HTTP attempt produced: a response (status, {@code Retry-After}, the first bytes of the body) or a
 * failure before a complete response (with its kind, for classification, and a one-line description).
 *
 * @param status          the response status, 0 when there was no complete response
 * @param retryAfter      the raw {@code Retry-After} header, or null
 * @param responseExcerpt the start of the response body (capped), or null
 */
public record HttpExchange(int status, String retryAfter, String responseExcerpt, Duration latency, Failure failure,
                           String error) {

    /** Why no complete response was received. */
    public enum Failure {
        /** A response arrived (whatever its status). */
        NONE,
        /** The destination policy refused the resolved address (SSRF guard, DNS rebinding). */
        REJECTED,
        /** The request cannot be built or sent as configured (bad URL, invalid header, no signing secret). */
        INVALID_REQUEST,
        /** Resolving the host, connecting or the TLS handshake failed or timed out. */
        CONNECT,
        /** Connected, but no complete response within the subscription's timeout. */
        TIMEOUT,
        /** The connection broke while sending or receiving. */
        IO
    }

    public static HttpExchange response(int status, String retryAfter, String excerpt, Duration latency) {
        return new HttpExchange(status, retryAfter, excerpt, latency, Failure.NONE, null);
    }

    public static HttpExchange failed(Failure failure, String error, Duration latency) {
        if (failure == Failure.NONE) {
            throw new IllegalArgumentException("a failure needs a kind");
        }
        return new HttpExchange(0, null, null, latency, failure, error);
    }

    public boolean hasResponse() {
        return failure == Failure.NONE;
    }
}
