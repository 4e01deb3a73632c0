package io.hookline.bench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fast local endpoint both Hookline and the direct baseline post to, on 127.0.0.1: drains the body, answers 204,
 * and for webhook deliveries (path {@code /hook/...}) records the arrival time of each (webhook-id, subscription)
 * pair, counting repeats as duplicates. It does not verify signatures: that is the unit tests' job, and checking
 * here would make the receiver, not Hookline, the thing measured.
 */
public final class BenchReceiver implements AutoCloseable {
    private static final byte[] DISCARD = new byte[64 * 1024];

    private final HttpServer server;
    private final ExecutorService workers;
    /** "eventId subscriptionId" → System.nanoTime() of the first arrival. */
    private volatile Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicLong direct = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong();

    private BenchReceiver(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    public static BenchReceiver start(int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        ExecutorService workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bench-receiver");
            t.setDaemon(true);
            return t;
        });
        BenchReceiver receiver = new BenchReceiver(server, workers);
        server.createContext("/", receiver::handle);
        server.setExecutor(workers);
        server.start();
        return receiver;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try (InputStream body = exchange.getRequestBody()) {
                while (body.read(DISCARD) >= 0) {
                    // drain so the connection can be reused
                }
            }
            long now = System.nanoTime();
            if (exchange.getRequestURI().getPath().startsWith("/hook/")) {
                String id = exchange.getRequestHeaders().getFirst("webhook-id");
                String subscription = exchange.getRequestHeaders().getFirst("hookline-subscription");
                if (arrivals.putIfAbsent(id + ' ' + subscription, now) != null) {
                    duplicates.incrementAndGet();
                }
                lastArrival.accumulateAndGet(now, Math::max);
            } else {
                direct.incrementAndGet();
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Distinct (event, subscription) pairs delivered since the last {@link #reset()}. */
    public int delivered() {
        return arrivals.size();
    }

    public Map<String, Long> arrivals() {
        return arrivals;
    }

    public int duplicates() {
        return duplicates.get();
    }

    public long directRequests() {
        return direct.get();
    }

    public long lastArrivalNanos() {
        return lastArrival.get();
    }

    /** Subscriptions that received at least one of {@code eventId}. */
    public long subscriptionsThatReceived(String eventId) {
        String prefix = eventId + ' ';
        return arrivals.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** Forgets everything recorded (between warm-up and measurement). */
    public void reset() {
        arrivals = new ConcurrentHashMap<>();
        duplicates.set(0);
        direct.set(0);
        lastArrival.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
