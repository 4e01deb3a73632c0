package io.hookline.client;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on 127.0.0.1 that plays the ingest gateway from a script: each request is recorded, then
 * answered with the next scripted reply (a request beyond the script gets a 500 so the test fails loudly).
 */
final class ScriptedGateway implements AutoCloseable {

    /** A request as the gateway saw it, with the moment it arrived (System.nanoTime). */
    record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body, long arrivedNanos) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    interface Reply {
        void send(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    ScriptedGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    ScriptedGateway then(Reply reply) {
        script.addLast(reply);
        return this;
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    Recorded request(int i) {
        return requests.get(i);
    }

    void awaitRequests(int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> requests.size() >= n);
    }

    int unusedReplies() {
        return script.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
        requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body,
                System.nanoTime()));
        Reply reply = script.pollFirst();
        if (reply == null) {
            reply = problem(500, "Unscripted", "the test did not script a reply for this request", null);
        }
        try {
            reply.send(exchange);
        } finally {
            exchange.close();
        }
    }

    // ------------------------------------------------------------------ replies

    static Reply json(int status, String json, String... headerPairs) {
        return respond(status, "application/json", json, headerPairs);
    }

    static Reply accepted(String id, String topic) {
        return json(202, "{\"id\":\"" + id + "\",\"topic\":\"" + topic + "\"}");
    }

    static Reply problem(int status, String title, String detail, String field, String... headerPairs) {
        String json = "{\"type\":\"https://hookline.dev/problems/x\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"" + (field == null ? "" : ",\"field\":\"" + field + "\"") + "}";
        return respond(status, "application/problem+json", json, headerPairs);
    }

    static Reply respond(int status, String contentType, String body, String... headerPairs) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            for (int i = 0; i < headerPairs.length; i += 2) {
                exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
            }
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        };
    }

    /** Closes the connection without any answer, as a crashing gateway or a proxy resetting it would. */
    static Reply dropConnection() {
        return exchange -> {
            // Returning without sending headers makes the JDK server close the connection.
        };
    }

    /** Holds the request without answering until the gateway closes, so the client's request timeout fires. */
    Reply silence() {
        return exchange -> {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
