package io.hookline.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The README's receiver, over real HTTP: the JDK server re-cases header names, and the body arrives as bytes. */
class WebhookReceiverExampleTest {
    private final WebhookSecret secret = WebhookSecret.generate();
    private final List<WebhookEvent> processed = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void startReceiver() throws Exception {
        WebhookVerifier verifier = new WebhookVerifier(secret.toString());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/webhooks/orders", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                processed.add(verifier.verifyEvent(exchange.getRequestHeaders(), body));
                exchange.sendResponseHeaders(204, -1);
            } catch (InvalidWebhookException e) {
                exchange.sendResponseHeaders(401, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    private int deliver(String id, long timestamp, String signature, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/orders"))
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aSignedDeliveryIsAcceptedAndATamperedOneRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        String body = "{\"type\":\"orders.created\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"id\":\"o-1\"}}";
        String signature = WebhookSigner.sign("evt_1", now, body.getBytes(StandardCharsets.UTF_8), secret);

        assertThat(deliver("evt_1", now, signature, body)).isEqualTo(204);
        assertThat(deliver("evt_1", now, signature, body.replace("o-1", "o-2"))).isEqualTo(401);
        assertThat(deliver("evt_2", now, signature, body)).isEqualTo(401);

        assertThat(processed).hasSize(1);
        assertThat(processed.get(0).id()).isEqualTo("evt_1");
        assertThat(processed.get(0).data().get("id").asText()).isEqualTo("o-1");
    }

    @Test
    void aHeaderLookupFunctionWorksLikeAServletsGetHeader() throws Exception {
        WebhookVerifier verifier = new WebhookVerifier(List.of(WebhookSecret.generate().toString(), secret.toString()));
        long now = Instant.now().getEpochSecond();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        java.util.Map<String, String> servletHeaders = java.util.Map.of("webhook-id", "evt_9",
                "webhook-timestamp", Long.toString(now), "webhook-signature", WebhookSigner.sign("evt_9", now, body, secret));

        verifier.verify(servletHeaders::get, body);
    }
}
