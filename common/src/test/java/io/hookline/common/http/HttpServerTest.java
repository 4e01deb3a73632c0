package io.hookline.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.common.service.Metrics;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private static final AtomicBoolean READY = new AtomicBoolean(false);
    private static HttpServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        Router router = new Router()
                .post("/v1/things", request -> HttpResponse.json(201, Map.of("got", request.jsonBody())))
                .get("/v1/things/{id}", request -> {
                    if (request.pathParam("id").equals("missing")) {
                        throw ProblemException.notFound("no thing missing");
                    }
                    return HttpResponse.json(200, Map.of("id", request.pathParam("id"), "q", String.valueOf(request.query("q"))));
                })
                .get("/v1/boom", request -> {
                    throw new IllegalStateException("bug");
                })
                .addAsync("POST", "/v1/async", request -> CompletableFuture.supplyAsync(() -> HttpResponse.noContent()));
        HttpServer.Settings settings = HttpServer.Settings.defaults("test", 0).withHost("127.0.0.1")
                .withMaxContentLength(1024).withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5));
        server = HttpServer.start(settings, router, List.of(ReadinessCheck.of("flag", READY::get)),
                Metrics.newRegistry("test"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static java.net.http.HttpResponse<String> send(String method, String path, String contentType, String body)
            throws Exception {
        var builder = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("content-type", contentType);
        }
        return CLIENT.send(builder.build(), BodyHandlers.ofString());
    }

    /** With the epoll transport a taken port is a native error, not a {@link java.net.BindException}. */
    @Test
    void aTakenPortStopsStartUpWithOneLineNamingTheVariable() {
        HttpServer.Settings taken = HttpServer.Settings.defaults("second", server.port()).withHost("127.0.0.1");
        assertThatThrownBy(() -> HttpServer.start(taken, new Router(), List.of(), Metrics.newRegistry("second")))
                .isInstanceOf(io.hookline.common.config.ConfigException.class)
                .hasMessageContaining("HOOKLINE_HTTP_PORT").hasMessageContaining("cannot listen on port " + server.port())
                .hasMessageContaining("in use")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception"));
    }

    @Test
    void routesWithPathAndQueryParameters() throws Exception {
        var response = send("GET", "/v1/things/abc?q=1", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()).get("id").asText()).isEqualTo("abc");
        assertThat(send("POST", "/v1/things", "application/json", "{\"a\":1}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/v1/async", null, null).statusCode()).isEqualTo(204);
    }

    @Test
    void errorsAreProblemDocuments() throws Exception {
        assertProblem(send("GET", "/v1/things/missing", null, null), 404);
        assertProblem(send("GET", "/nowhere", null, null), 404);
        assertProblem(send("DELETE", "/v1/things", null, null), 405);
        assertProblem(send("POST", "/v1/things", "text/plain", "{}"), 415);
        assertProblem(send("POST", "/v1/things", "application/json", ""), 400);
        var malformed = send("POST", "/v1/things", "application/json", "{\"a\":");
        assertProblem(malformed, 400);
        assertThat(malformed.body()).contains("line 1");
        assertProblem(send("POST", "/v1/things", "application/json", "{\"a\":\"" + "x".repeat(2000) + "\"}"), 413);
        var bug = send("GET", "/v1/boom", null, null);
        assertProblem(bug, 500);
        assertThat(bug.body()).doesNotContain("bug");
    }

    private static void assertProblem(java.net.http.HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue(Problem.CONTENT_TYPE);
        JsonNode problem = Json.MAPPER.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotEmpty();
        assertThat(problem.get("type").asText()).startsWith("https://");
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        READY.set(false);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(503);
        READY.set(true);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        send("GET", "/v1/things/x", null, null);
        var metrics = send("GET", "/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("hookline_http_server_requests_seconds_count")
                .contains("route=\"/v1/things/{id}\"").contains("jvm_memory_used_bytes");
    }

    @Test
    void aDeclaredOversizedBodyIsRefusedBeforeItIsSent() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void anOversizedBodyStillGetsItsAnswerWhileTheClientIsSendingIt() throws Exception {
        // Regression: closing the connection right after the 413 reset clients that were still writing the body,
        // so they saw a broken connection instead of the problem document.
        String oversized = "{\"a\":\"" + "x".repeat(300_000) + "\"}";
        for (int i = 0; i < 30; i++) {
            assertProblem(send("POST", "/v1/things", "application/json", oversized), 413);
            assertThat(send("GET", "/v1/things/after", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSlowClientIsDisconnectedAfterTheRequestTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(10_000);
            // The server closes the connection (end of stream) instead of waiting for the other nine bytes.
            await().atMost(Duration.ofSeconds(10)).until(() -> in.read() == -1);
        }
    }
}
