package io.hookline.testkit;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server on 127.0.0.1 standing in for a subscriber's endpoint. It records every request (method, path,
 * lower-cased headers, body, arrival time) before answering, answers {@code 204} unless told otherwise, and serves
 * requests concurrently, each on its own thread, so that one held or slow response never delays another.
 *
 * <pre>{@code
 * try (WebhookReceiver receiver = WebhookReceiver.start()) {
 *     receiver.respondWithStatuses(503, 503, 200);   // fail twice, then succeed
 *     ... subscribe receiver.url("/hooks") and publish ...
 *     List<RecordedRequest> requests = receiver.awaitRequests(3, Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration DEFAULT_AWAIT = Duration.ofSeconds(30);
    private static final Responder NO_CONTENT = request -> WebhookResponse.status(204);
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<RecordedRequest> requests = new ArrayList<>();
    private int sequence;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private volatile Responder responder = NO_CONTENT;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    private WebhookReceiver(int port) throws IOException {
        int id = SERVERS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "webhook-receiver-" + id + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = Executors.newCachedThreadPool(factory);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A receiver on a free port. */
    public static WebhookReceiver start() {
        return start(0);
    }

    /** A receiver on a given port, e.g. to bring an endpoint back where a subscription points after closing it. */
    public static WebhookReceiver start(int port) {
        try {
            return new WebhookReceiver(port);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a webhook receiver on " + HOST + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public String url() {
        return url("/");
    }

    /** {@code http://127.0.0.1:<port><path>}; a missing leading slash is added. */
    public String url(String path) {
        return "http://" + HOST + ":" + port() + (path.startsWith("/") ? path : "/" + path);
    }

    /** Every request so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The requests so far whose path is {@code path}. */
    public List<RecordedRequest> requests(String path) {
        return requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Waits up to 30 s for {@link #awaitRequests(int, Duration)}. */
    public List<RecordedRequest> awaitRequests(int count) {
        return awaitRequests(count, DEFAULT_AWAIT);
    }

    /**
     * Waits until at least {@code count} requests arrived (held ones included) and returns all received so far.
     *
     * @throws AssertionError if they do not arrive within {@code timeout}, listing the ones that did
     */
    public List<RecordedRequest> awaitRequests(int count, Duration timeout) {
        try {
            await("webhook requests").atMost(timeout).pollInterval(Duration.ofMillis(10))
                    .until(() -> requestCount() >= count);
        } catch (ConditionTimeoutException e) {
            List<RecordedRequest> received = requests();
            throw new AssertionError("Expected at least " + count + " webhook requests on " + url() + " within "
                    + timeout + " but got " + received.size() + received.stream().map(RecordedRequest::toString)
                    .collect(Collectors.joining("\n  ", ":\n  ", "")), e);
        }
        return requests();
    }

    /** Answers every request with {@code status} and no body. */
    public void respondWith(int status) {
        WebhookResponse response = WebhookResponse.status(status);
        respondWith(request -> response);
    }

    /** The n-th request gets the n-th status; the last one repeats, e.g. {@code (500, 500, 200)}. */
    public void respondWithStatuses(int... statuses) {
        if (statuses.length == 0) {
            throw new IllegalArgumentException("At least one status");
        }
        List<WebhookResponse> responses = new ArrayList<>();
        for (int status : statuses) {
            responses.add(WebhookResponse.status(status));
        }
        respondWith(request -> responses.get(Math.min(request.sequence(), responses.size()) - 1));
    }

    /** Lets a function of the request (its {@link RecordedRequest#sequence()}, headers, body) decide. */
    public void respondWith(Responder responder) {
        this.responder = Objects.requireNonNull(responder, "responder");
    }

    /**
     * Requests that arrive from now on are recorded but not answered until {@link #releaseResponses()}: makes
     * in-flight limits observable and lets a sender's timeout expire without waiting on the clock.
     */
    public void holdResponses() {
        synchronized (this) {
            if (hold.getCount() == 0) {
                hold = new CountDownLatch(1);
            }
        }
    }

    /** Answers every held request and stops holding. */
    public void releaseResponses() {
        hold.countDown();
    }

    /** Requests received but not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most requests that were being served at once since start or {@link #reset()}. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    /** Forgets recorded requests, restarts the sequence at 1, answers 204 again and releases held responses. */
    public void reset() {
        releaseResponses();
        responder = NO_CONTENT;
        synchronized (requests) {
            requests.clear();
            sequence = 0;
        }
        peakInFlight.set(inFlight.get());
    }

    @Override
    public void close() {
        releaseResponses();
        server.stop(0);
        executor.shutdownNow();
    }

    private int requestCount() {
        synchronized (requests) {
            return requests.size();
        }
    }

    private void handle(HttpExchange exchange) {
        int current = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(current, Math::max);
        boolean counted = true;
        try {
            RecordedRequest request = record(exchange, exchange.getRequestBody().readAllBytes());
            CountDownLatch gate = hold;
            gate.await();
            WebhookResponse response = responseTo(request);
            // No longer in flight before the first response byte leaves: a sender that reacts to this response by
            // sending its next request (on another connection and thread) must never be counted twice at once.
            inFlight.decrementAndGet();
            counted = false;
            send(exchange, response);
        } catch (IOException e) {
            LOG.debug("Webhook sender went away before the response", e);
        } catch (InterruptedException e) {
            // Only close() interrupts, and the server is gone by then.
            Thread.currentThread().interrupt();
        } finally {
            if (counted) {
                inFlight.decrementAndGet();
            }
            exchange.close();
        }
    }

    private RecordedRequest record(HttpExchange exchange, byte[] body) {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        synchronized (requests) {
            RecordedRequest request = new RecordedRequest(++sequence, exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), headers, body,
                    Instant.now());
            requests.add(request);
            return request;
        }
    }

    private WebhookResponse responseTo(RecordedRequest request) {
        try {
            WebhookResponse response = responder.respond(request);
            return response == null ? WebhookResponse.status(204) : response;
        } catch (RuntimeException e) {
            LOG.warn("Responder failed on request {}; answering 500", request, e);
            return WebhookResponse.status(500).withBody("responder failed: " + e);
        }
    }

    private static void send(HttpExchange exchange, WebhookResponse response) throws IOException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] body = response.body();
        boolean bodyAllowed = response.status() != 204 && response.status() != 304
                && !exchange.getRequestMethod().equals("HEAD");
        if (!bodyAllowed || body.length == 0) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public String toString() {
        return "WebhookReceiver[" + url() + ", " + requestCount() + " requests]";
    }
}
