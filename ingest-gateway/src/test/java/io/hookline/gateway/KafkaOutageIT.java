package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.embedded.EmbeddedKafkaBroker;
import io.hookline.embedded.FatalErrorPolicy;
import io.hookline.gateway.GatewayFixture.Answer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Kafka outage: this class runs its own single-node broker (not the shared one, which other classes use),
 * stops it while the gateway is publishing, and starts it again on the same ports and data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaOutageIT {
    @TempDir
    static Path dataDirectory;
    private static EmbeddedKafkaBroker broker;
    private static int brokerPort;
    private static int controllerPort;
    private static GatewayFixture gateway;
    private static String key;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory)
                .fatalErrorPolicy(FatalErrorPolicy.THROW_IN_BROKER_THREAD).build().start();
        brokerPort = broker.brokerPort();
        controllerPort = broker.controllerPort();
        gateway = new GatewayFixture(broker.bootstrapServers(), "outage");
        gateway.topic("orders", "acme", null, 2);
        key = gateway.apiKey("acme", "publish");
        // When the broker goes away its metadata may go with it, and send() then waits max.block.ms for it on a
        // sender thread: 5 s keeps the held publishes in flight long enough for the budget check below.
        gateway.start(Map.of("HOOKLINE_PUBLISH_TIMEOUT", "3s", "HOOKLINE_MAX_IN_FLIGHT_EVENTS", "2",
                "HOOKLINE_KAFKA_MAX_BLOCK_MS", "5000"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static void stopBroker() {
        broker.close();
    }

    private static void restartBroker() {
        broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).brokerPort(brokerPort)
                .controllerPort(controllerPort).fatalErrorPolicy(FatalErrorPolicy.THROW_IN_BROKER_THREAD)
                .build().start();
    }

    private static double inFlight(GatewayFixture fixture) {
        return fixture.service().meters().get("hookline.gateway.inflight.events").gauge().value();
    }

    @Test
    @Order(1)
    void withTheBrokerStoppedPublishesAre503AndAfterItReturnsNoAcceptedEventIsMissing() {
        Set<String> accepted = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Answer answer = gateway.publish("orders", key, "{\"before\": " + i + "}");
            assertThat(answer.status()).isEqualTo(202);
            accepted.add(answer.json().get("id").textValue());
        }

        stopBroker();

        // Buffering is bounded: with two events waiting for Kafka, the next publish is refused at once.
        List<CompletableFuture<Answer>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = i;
            held.add(CompletableFuture.supplyAsync(() -> gateway.publish("orders", key, "{\"held\": " + n + "}")));
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> inFlight(gateway) == 2);
        Answer busy = gateway.publish("orders", key, "{\"busy\": true}");
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.header("retry-after")).isEqualTo(Integer.toString(EventWriter.BUSY_RETRY_AFTER_SECONDS));
        for (CompletableFuture<Answer> answer : held) {
            assertThat(answer.join().status()).isEqualTo(503);
        }

        // Kafka does not take the event: 503 with Retry-After, never 202.
        Answer refused = gateway.publish("orders", key, "{\"during\": 1}", "Idempotency-Key", "outage-retry");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo(Integer.toString(EventWriter.UNAVAILABLE_RETRY_AFTER_SECONDS));

        restartBroker();

        // The client retries its 503'd publish with the same Idempotency-Key until Kafka takes it.
        Answer[] retried = new Answer[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            retried[0] = gateway.publish("orders", key, "{\"during\": 1}", "Idempotency-Key", "outage-retry");
            return retried[0].status() == 202;
        });
        String retriedId = retried[0].json().get("id").textValue();
        assertThat(retriedId).isEqualTo(IdempotentEventIds.eventId("acme", "outage-retry"));
        accepted.add(retriedId);
        for (int i = 0; i < 5; i++) {
            Answer answer = gateway.publish("orders", key, "{\"after\": " + i + "}");
            assertThat(answer.status()).isEqualTo(202);
            accepted.add(answer.json().get("id").textValue());
        }

        // Every 202'd event survived the outage, and nothing answered 503 was stored behind the client's back.
        Set<String> stored = new HashSet<>(gateway.eventIds("orders", accepted.size()));
        assertThat(stored).isEqualTo(accepted);
    }

    @Test
    @Order(2)
    void shutdownDuringAnOutageWaitsForPublishesInFlight() throws Exception {
        GatewayFixture draining = new GatewayFixture(broker.bootstrapServers(), "outage");
        // Long enough for the held publish to outlive the outage, whether the producer keeps the topic's metadata
        // (the record waits in its buffer) or loses it with the broker (send() waits for it on a sender thread).
        draining.start(Map.of("HOOKLINE_PUBLISH_TIMEOUT", "60s", "HOOKLINE_SHUTDOWN_TIMEOUT", "60s",
                "HOOKLINE_KAFKA_MAX_BLOCK_MS", "60000"));
        assertThat(draining.publish("orders", key, "{\"warm\": true}").status()).isEqualTo(202);

        stopBroker();
        CompletableFuture<Answer> held = CompletableFuture.supplyAsync(
                () -> draining.publish("orders", key, "{\"held\": true}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(draining) == 1);

        CompletableFuture<Void> closed = CompletableFuture.runAsync(draining::close);
        // Shutdown has begun: the listening socket is closed, so new connections go to other instances.
        await().atMost(Duration.ofSeconds(5)).until(() -> !canConnect(draining.service().httpPort()));
        assertThat(held).isNotDone();

        restartBroker();
        // Kafka takes the held event; it is answered 202 before the gateway finishes stopping.
        Answer answer = held.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(202);
        closed.get(60, TimeUnit.SECONDS);
        String id = answer.json().get("id").textValue();
        assertThat(gateway.eventIds("orders", 1)).contains(id);
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
