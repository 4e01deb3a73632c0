package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.net.DestinationPolicy;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WebhookResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook HTTP client against real local servers: policy at connect time, timeouts, pooling, capping. */
class WebhookHttpClientIT {
    private final WebhookHttpClient client = new WebhookHttpClient(DestinationPolicy.of(List.of("127.0.0.0/8")),
            Duration.ofSeconds(2), 1);

    @AfterEach
    void close() {
        client.close();
    }

    private static WebhookRequest post(String url, Duration timeout) {
        return new WebhookRequest(URI.create(url), List.of(Map.entry("content-type", "application/json")),
                "{\"hello\":1}".getBytes(StandardCharsets.UTF_8), timeout);
    }

    private HttpExchange send(String url, Duration timeout) throws Exception {
        return client.send(post(url, timeout)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void refusesAHostThatResolvesToADisallowedAddressAtConnectTime() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WebhookHttpClient strict = new WebhookHttpClient(DestinationPolicy.of(List.of()), Duration.ofSeconds(2),
                     1)) {
            // A host name, not a literal: the check applies to what it resolves to when connecting.
            HttpExchange exchange = strict.send(post("http://localhost:" + receiver.port() + "/", Duration.ofSeconds(5)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(exchange.failure()).isEqualTo(HttpExchange.Failure.REJECTED);
            assertThat(exchange.error()).contains("loopback");
            assertThat(receiver.requests()).isEmpty();
        }
    }

    /** A request Netty refuses to encode must fail as invalid at once, not leave its future (and slot) hanging. */
    @Test
    void aRequestWhoseHeadersCannotBeSentFailsAsInvalidWithoutReachingTheEndpoint() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            WebhookRequest injected = new WebhookRequest(URI.create(receiver.url("/in")),
                    List.of(Map.entry("x-note", "a\r\nx-injected: 1")), new byte[0], Duration.ofSeconds(5));
            HttpExchange exchange = client.send(injected).get(10, TimeUnit.SECONDS);
            assertThat(exchange.failure()).isEqualTo(HttpExchange.Failure.INVALID_REQUEST);
            assertThat(exchange.error()).contains("x-note");
            // The connection it was meant for still serves the next request.
            assertThat(send(receiver.url("/in"), Duration.ofSeconds(5)).status()).isEqualTo(204);
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void sendsThePostWithBodyAndHeadersAndCapsTheResponseExcerpt() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respondWith(request -> WebhookResponse.status(200).withBody("y".repeat(100_000)));
            HttpExchange exchange = send(receiver.url("/in?a=b"), Duration.ofSeconds(5));
            assertThat(exchange.status()).isEqualTo(200);
            assertThat(exchange.responseExcerpt()).hasSize(WebhookHttpClient.EXCERPT_BYTES);
            var request = receiver.requests().get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/in");
            assertThat(request.query()).isEqualTo("a=b");
            assertThat(request.bodyAsString()).isEqualTo("{\"hello\":1}");
            assertThat(request.header("host")).isEqualTo("127.0.0.1:" + receiver.port());
        }
    }

    @Test
    void anEndpointThatDoesNotAnswerInTimeIsATimeoutAndTheConnectionIsNotReused() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.holdResponses();
            HttpExchange exchange = send(receiver.url("/"), Duration.ofMillis(300));
            assertThat(exchange.failure()).isEqualTo(HttpExchange.Failure.TIMEOUT);
            assertThat(exchange.error()).contains("within 300 ms");
            receiver.releaseResponses();
            assertThat(send(receiver.url("/"), Duration.ofSeconds(5)).status()).isEqualTo(204);
        }
    }

    @Test
    void aClosedPortIsAConnectFailure() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        HttpExchange exchange = send("http://127.0.0.1:" + port + "/", Duration.ofSeconds(5));
        assertThat(exchange.failure()).isEqualTo(HttpExchange.Failure.CONNECT);
        assertThat(exchange.error()).contains("cannot connect");
    }

    @Test
    void keepAliveConnectionsArePooledPerOrigin() throws Exception {
        try (CountingServer server = new CountingServer(true)) {
            for (int i = 0; i < 5; i++) {
                assertThat(send(server.url(), Duration.ofSeconds(5)).status()).isEqualTo(204);
            }
            assertThat(server.requests.get()).isEqualTo(5);
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aServerThatClosesEachConnectionStillGetsEveryRequest() throws Exception {
        try (CountingServer server = new CountingServer(false)) {
            for (int i = 0; i < 3; i++) {
                assertThat(send(server.url(), Duration.ofSeconds(5)).status()).isEqualTo(204);
            }
            assertThat(server.connections.get()).isEqualTo(3);
        }
    }

    /** A minimal HTTP/1.1 server that counts TCP connections, which the JDK server used elsewhere cannot show. */
    private static final class CountingServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        private final ServerSocket socket;
        private final boolean keepAlive;
        private final Thread acceptor;

        CountingServer(boolean keepAlive) throws IOException {
            this.keepAlive = keepAlive;
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "counting-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/";
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    connections.incrementAndGet();
                    Thread serve = new Thread(() -> serve(connection), "counting-server-connection");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket connection) {
            try (connection; InputStream in = new BufferedInputStream(connection.getInputStream());
                 OutputStream out = connection.getOutputStream()) {
                while (true) {
                    int length = readHead(in);
                    if (length < 0) {
                        return;
                    }
                    in.readNBytes(length);
                    requests.incrementAndGet();
                    out.write(("HTTP/1.1 204 No Content\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!keepAlive) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        /** Reads request line and headers; returns the content length, or -1 at end of stream. */
        private static int readHead(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int length = 0;
            boolean first = true;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.US_ASCII).trim();
                    line.reset();
                    if (text.isEmpty() && !first) {
                        return length;
                    }
                    first = false;
                    if (text.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(text.substring("content-length:".length()).trim());
                    }
                } else {
                    line.write(b);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
