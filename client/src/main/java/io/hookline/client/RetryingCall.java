package io.hookline.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One logical publish: sends the exchange's request, retries it on connection errors, timeouts and
 * 503/429/502/504 (and on item-level transient failures the exchange reports) with the policy's backoff, and
 * completes with the exchange's value or a {@link HooklineException}. Every attempt of a call carries the same
 * idempotency keys — that is what makes the retries safe. Non-blocking: waits are scheduled, never slept.
 */
final class RetryingCall<T> {
    private static final System.Logger LOG = System.getLogger(HooklineClient.class.getName());

    /** What is sent and how a 2xx answer is read; everything else (errors, retries) is the call's business. */
    interface Exchange<T> {
        /** The request of the next attempt (a batch re-sends only its still-pending items). */
        HttpRequest nextRequest();

        /** Reads a 2xx answer. May throw {@link HooklineException} when the answer is unreadable. */
        Step<T> onSuccess(HttpResponse<byte[]> response);

        /**
         * The call failed for good with {@code failure}. The default rethrows it; a batch whose earlier attempts
         * already stored some items returns those results instead, with the failure on the remaining items.
         */
        default T giveUp(HooklineException failure) {
            throw failure;
        }
    }

    /** The reading of a 2xx answer: final, or worth another attempt (with the value to use if none is left). */
    static final class Step<T> {
        final T value;
        final boolean retry;
        final Duration retryAfter;
        final String reason;

        private Step(T value, boolean retry, Duration retryAfter, String reason) {
            this.value = value;
            this.retry = retry;
            this.retryAfter = retryAfter;
            this.reason = reason;
        }

        static <T> Step<T> done(T value) {
            return new Step<>(value, false, null, null);
        }

        static <T> Step<T> retry(T valueIfExhausted, Duration retryAfter, String reason) {
            return new Step<>(valueIfExhausted, true, retryAfter, reason);
        }
    }

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final RetryPolicy policy;
    private final Clock clock;
    private final String description;
    private final String target;
    private final String idempotencyKey;
    private final Exchange<T> exchange;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile CompletableFuture<HttpResponse<byte[]>> inFlight;
    private int attempts;

    /**
     * @param description    what is being done, for messages: {@code publish to topic 'orders'}
     * @param target         where it goes, for connection messages: the gateway's base URL
     * @param idempotencyKey the single publish's key (null for a batch), reported on failure
     */
    RetryingCall(HttpClient http, ObjectMapper mapper, RetryPolicy policy, Clock clock, String description,
                 String target, String idempotencyKey, Exchange<T> exchange) {
        this.http = http;
        this.mapper = mapper;
        this.policy = policy;
        this.clock = clock;
        this.description = description;
        this.target = target;
        this.idempotencyKey = idempotencyKey;
        this.exchange = exchange;
    }

    CompletableFuture<T> start() {
        // A caller who cancels (or a sync caller who is interrupted) stops the retries and the request in flight.
        result.whenComplete((value, error) -> {
            CompletableFuture<HttpResponse<byte[]>> f = inFlight;
            if (result.isCancelled() && f != null) {
                f.cancel(true);
            }
        });
        attempt();
        return result;
    }

    private void attempt() {
        if (result.isDone()) {
            return;
        }
        attempts++;
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(exchange.nextRequest(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        inFlight = sent;
        sent.whenComplete((response, error) -> {
            try {
                handle(response, error);
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
    }

    private void handle(HttpResponse<byte[]> response, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof IOException io) {
                // Refused, reset, timed out: the gateway may or may not have stored the event, and a retry with
                // the same idempotency key is safe either way.
                retryOrFinish(null, describe(io), why -> exchange.giveUp(new HooklineConnectionException(
                        description + " failed: could not get an answer from the gateway at " + target + " ("
                                + why + "); last error: " + describe(io), io, attempts, idempotencyKey)));
            } else if (cause instanceof CancellationException) {
                result.cancel(false);
            } else {
                result.completeExceptionally(
                        new HooklineException(description + " failed unexpectedly: " + cause, cause));
            }
            return;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            Step<T> step = exchange.onSuccess(response);
            if (!step.retry) {
                result.complete(step.value);
            } else {
                retryOrFinish(step.retryAfter, step.reason, why -> step.value);
            }
            return;
        }
        Problem problem = ResponseBodies.problem(response, mapper);
        if (isRetryableStatus(status)) {
            Duration retryAfter = RetryAfterHeader.parse(response.headers().firstValue("retry-after"), clock.instant());
            retryOrFinish(retryAfter, "answered " + problem.summary(), why -> exchange.giveUp(
                    new HooklineUnavailableException(description + " failed: the gateway answered "
                            + problem.summary() + " (" + why + ")", status, problem, retryAfter, attempts,
                            idempotencyKey)));
        } else {
            HooklineException rejected = new HooklineRejectedException(
                    description + " was rejected: " + problem.summary(), problem, attempts, idempotencyKey);
            try {
                result.complete(exchange.giveUp(rejected));
            } catch (HooklineException e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Schedules the next attempt, or — when no attempt is left or the server wants a longer pause than the policy
     * accepts — completes with what {@code whenExhausted} returns or throws (given a phrase saying why).
     */
    private void retryOrFinish(Duration retryAfter, String failure, Function<String, T> whenExhausted) {
        String giveUp = null;
        if (attempts >= policy.maxAttempts()) {
            giveUp = attempts == 1 ? "1 attempt, retries disabled" : "gave up after " + attempts + " attempts";
        } else if (retryAfter != null && retryAfter.compareTo(policy.maxRetryAfter()) > 0) {
            giveUp = "Retry-After of " + retryAfter.toSeconds() + " s exceeds the policy's maxRetryAfter of "
                    + policy.maxRetryAfter().toSeconds() + " s";
        }
        if (giveUp != null) {
            try {
                result.complete(whenExhausted.apply(giveUp));
            } catch (HooklineException e) {
                result.completeExceptionally(e);
            }
            return;
        }
        Duration delay = policy.delayBeforeRetry(attempts, retryAfter, ThreadLocalRandom.current().nextDouble());
        LOG.log(System.Logger.Level.DEBUG, () -> description + " attempt " + attempts + "/" + policy.maxAttempts()
                + " " + failure + "; retrying in " + delay.toMillis() + " ms"
                + (idempotencyKey != null ? " with idempotency key " + idempotencyKey : ""));
        CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(this::attempt);
    }

    static boolean isRetryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    private static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "no answer within the timeout (" + e.getClass().getSimpleName() + ")";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}
