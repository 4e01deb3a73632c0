package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.net.DestinationPolicy;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook client against real local TLS endpoints: HTTP/2 where the endpoint offers it by ALPN (one connection,
 * multiplexed streams within the server's limit), HTTP/1.1 where it does not, signed requests arriving intact either
 * way.
 */
class WebhookHttpClientTlsIT {
    private static final DestinationPolicy LOOPBACK = DestinationPolicy.of(List.of("127.0.0.0/8"));

    @TempDir
    Path dir;

    private final SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
    private final WebhookSecret secret = WebhookSecret.generate();
    private final WebhookRequestFactory factory = new WebhookRequestFactory(cipher);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private TlsReceiver receiver(boolean offerHttp2, int maxStreams, long delayMillis) throws Exception {
        TlsReceiver receiver = new TlsReceiver(dir, offerHttp2, maxStreams, delayMillis);
        closing.add(receiver);
        return receiver;
    }

    private WebhookHttpClient clientTrusting(TlsReceiver receiver) {
        WebhookHttpClient client = new WebhookHttpClient(LOOPBACK, Duration.ofSeconds(5), 1, receiver.trust());
        closing.add(0, client);
        return client;
    }

    private WebhookRequest signed(String url, int n, int timeoutMs) throws Exception {
        SubscriptionRecord subscription = new SubscriptionRecord("sub_tls", "acme", url, List.of("orders.*"), null,
                Map.of("X-Team", "payments"), null, null, timeoutMs, null, null, null, null, "active", 1,
                List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(secret.toString()), null)),
                Instant.now(), Instant.now());
        Instant now = Instant.now();
        EventEnvelope event = new EventEnvelope("evt_tls_" + n, "orders.created", "acme", null, null, now, now,
                Json.readTree(("{\"order\":" + n + "}").getBytes()));
        return factory.build(DeliveryTask.first(event, subscription.id(), now, 0, n), subscription, now);
    }

    private List<WebhookRequest> signed(TlsReceiver receiver, int count, int timeoutMs) throws Exception {
        List<WebhookRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(signed(receiver.url("/hooks?x=1"), i, timeoutMs));
        }
        return requests;
    }

    private static List<HttpExchange> sendAll(WebhookHttpClient client, List<WebhookRequest> requests)
            throws Exception {
        List<CompletableFuture<HttpExchange>> sent = requests.stream().map(client::send).toList();
        List<HttpExchange> out = new ArrayList<>();
        for (CompletableFuture<HttpExchange> future : sent) {
            out.add(future.get(60, TimeUnit.SECONDS));
        }
        return out;
    }

    private void assertSignedAndIntact(TlsReceiver.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks?x=1");
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.header("x-team")).isEqualTo("payments");
        assertThat(request.header("hookline-subscription")).isEqualTo("sub_tls");
        assertThatCode(() -> new WebhookVerifier(secret).verify(request.headers(), request.body()))
                .doesNotThrowAnyException();
    }

    @Test
    void anEndpointOfferingHttp2GetsEveryRequestAsAStreamOfOneConnection() throws Exception {
        TlsReceiver receiver = receiver(true, 100, 20);
        WebhookHttpClient client = clientTrusting(receiver);
        List<WebhookRequest> requests = signed(receiver, 20, 10_000);

        assertThat(sendAll(client, requests)).allSatisfy(e -> assertThat(e.status()).isEqualTo(204));

        assertThat(receiver.requests()).hasSize(20).allSatisfy(r -> {
            assertThat(r.protocol()).isEqualTo("h2");
            assertSignedAndIntact(r);
        });
        assertThat(receiver.requests()).extracting(r -> r.header("webhook-id"))
                .containsExactlyInAnyOrderElementsOf(requests.stream().map(r -> r.header("webhook-id")).toList());
        assertThat(receiver.connections.get()).isEqualTo(1);
        assertThat(receiver.peakInFlight()).as("streams in parallel").isGreaterThan(1);
        assertThat(client.http2ConnectionsOpened()).isEqualTo(1);
        assertThat(client.http1ConnectionsOpened()).isZero();
    }

    @Test
    void anEndpointOfferingOnlyHttp1GetsHttp1OverTls() throws Exception {
        TlsReceiver receiver = receiver(false, 100, 0);
        WebhookHttpClient client = clientTrusting(receiver);

        for (int i = 0; i < 3; i++) {
            assertThat(sendAll(client, List.of(signed(receiver.url("/hooks?x=1"), i, 10_000))))
                    .allSatisfy(e -> assertThat(e.status()).isEqualTo(204));
        }

        assertThat(receiver.requests()).hasSize(3).allSatisfy(r -> {
            assertThat(r.protocol()).isEqualTo("http/1.1");
            assertSignedAndIntact(r);
        });
        assertThat(receiver.connections.get()).as("keep-alive over TLS").isEqualTo(1);
        assertThat(client.http1ConnectionsOpened()).isEqualTo(1);
        assertThat(client.http2ConnectionsOpened()).isZero();
    }

    @Test
    void noMoreStreamsAreOpenThanTheServerAllows() throws Exception {
        TlsReceiver receiver = receiver(true, 3, 100);
        WebhookHttpClient client = clientTrusting(receiver);
        List<WebhookRequest> requests = signed(receiver, 15, 20_000);

        // A stream beyond the limit would be refused by the server and fail here.
        assertThat(sendAll(client, requests)).allSatisfy(e -> assertThat(e.status()).isEqualTo(204));

        assertThat(receiver.requests()).hasSize(15);
        assertThat(receiver.peakInFlight()).isEqualTo(3);
        assertThat(receiver.connections.get()).isEqualTo(1);
    }

    @Test
    void aStreamThatTimesOutLeavesTheConnectionToTheOthers() throws Exception {
        TlsReceiver receiver = receiver(true, 100, 1_000);
        WebhookHttpClient client = clientTrusting(receiver);

        // Connect first, so that the short timeout below is about the response, not the TLS handshake.
        assertThat(client.send(signed(receiver.url("/hooks?x=1"), 0, 10_000)).get(30, TimeUnit.SECONDS).status())
                .isEqualTo(204);
        HttpExchange late = client.send(signed(receiver.url("/hooks?x=1"), 1, 200)).get(30, TimeUnit.SECONDS);
        assertThat(late.failure()).isEqualTo(HttpExchange.Failure.TIMEOUT);
        assertThat(late.error()).contains("within 200 ms");

        HttpExchange patient = client.send(signed(receiver.url("/hooks?x=1"), 2, 10_000)).get(30, TimeUnit.SECONDS);
        assertThat(patient.status()).isEqualTo(204);
        assertThat(receiver.connections.get()).isEqualTo(1);
    }

    @Test
    void anUntrustedCertificateIsAConnectFailure() throws Exception {
        TlsReceiver receiver = receiver(true, 100, 0);
        try (WebhookHttpClient defaultTrust = new WebhookHttpClient(LOOPBACK, Duration.ofSeconds(5), 1)) {
            HttpExchange exchange = defaultTrust.send(signed(receiver.url("/hooks?x=1"), 1, 10_000))
                    .get(30, TimeUnit.SECONDS);
            assertThat(exchange.failure()).isEqualTo(HttpExchange.Failure.CONNECT);
            assertThat(exchange.error()).contains("TLS handshake");
        }
        assertThat(receiver.requests()).isEmpty();
    }
}
