package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hookline.common.http.ProblemException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's bookkeeping (in-flight budget, outcome mapping, per-key order) against Kafka's MockProducer, whose
 * acknowledgements the test completes by hand; the real broker is exercised by the integration tests.
 */
class EventWriterTest {
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final EventWriter writer = new EventWriter(producer, 4, 3, 1000, new GatewayMetrics(new SimpleMeterRegistry()));

    @AfterEach
    void close() {
        writer.close();
    }

    private static EventWriter.Outgoing record(String key, int bytes) {
        return new EventWriter.Outgoing("hookline.events.orders", key, new byte[bytes], "evt_" + key);
    }

    private void awaitSent(int count) {
        await().until(() -> producer.history().size() == count);
    }

    @Test
    void completesOnlyWhenKafkaAcknowledges() {
        CompletableFuture<RecordMetadata> ack = writer.write(List.of(record("a", 10))).get(0);
        awaitSent(1);
        assertThat(ack).isNotDone();
        producer.completeNext();
        assertThat(ack.join().topic()).isEqualTo("hookline.events.orders");
        assertThat(writer.inFlightEvents()).isZero();
    }

    @Test
    void refusesWithRetryAfterOnceTheEventBudgetIsFull() {
        writer.write(List.of(record("a", 1), record("b", 1)));
        writer.write(List.of(record("c", 1)));
        assertThatThrownBy(() -> writer.write(List.of(record("d", 1))))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(503);
                    assertThat(e.retryAfterSeconds()).isEqualTo(EventWriter.BUSY_RETRY_AFTER_SECONDS);
                });
        awaitSent(3);
        producer.completeNext();
        await().until(() -> writer.inFlightEvents() == 2);
        assertThat(writer.write(List.of(record("d", 1)))).hasSize(1);
    }

    @Test
    void refusesOnceTheByteBudgetIsFull() {
        writer.write(List.of(record("a", 900)));
        assertThatThrownBy(() -> writer.write(List.of(record("b", 200)))).isInstanceOf(ProblemException.class);
        assertThat(writer.write(List.of(record("b", 100)))).hasSize(1);
    }

    @Test
    void aRequestLargerThanTheBudgetPassesWhenNothingElseIsInFlight() {
        assertThat(writer.write(List.of(record("a", 5000)))).hasSize(1);
    }

    @Test
    void kafkaFailuresBecome503AndFreeTheBudget() {
        CompletableFuture<RecordMetadata> ack = writer.write(List.of(record("a", 10))).get(0);
        awaitSent(1);
        producer.errorNext(new NotEnoughReplicasException("not enough replicas"));
        assertThatThrownBy(ack::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(503);
                    assertThat(e.retryAfterSeconds()).isEqualTo(EventWriter.UNAVAILABLE_RETRY_AFTER_SECONDS);
                });
        assertThat(writer.inFlightEvents()).isZero();
        assertThat(writer.inFlightBytes()).isZero();
    }

    @Test
    void recordsKafkaRefusesAsTooLargeBecome413() {
        CompletableFuture<RecordMetadata> ack = writer.write(List.of(record("a", 10))).get(0);
        awaitSent(1);
        producer.errorNext(new RecordTooLargeException("too large"));
        assertThatThrownBy(ack::join).cause().isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(413));
    }

    @Test
    void recordsSharingAKeyAreSentInRequestOrder() {
        MockProducer<String, byte[]> autoAck = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        EventWriter wide = new EventWriter(autoAck, 4, 100_000, 100_000_000, new GatewayMetrics(new SimpleMeterRegistry()));
        try {
            // Separate writes, as separate requests make them, interleaving ten keys.
            for (int i = 0; i < 2000; i++) {
                String key = "customer-" + (i % 10);
                wide.write(List.of(new EventWriter.Outgoing("hookline.events.orders", key,
                        Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), "evt_" + i)));
            }
            await().until(() -> autoAck.history().size() == 2000);
            java.util.Map<String, Integer> last = new java.util.HashMap<>();
            for (ProducerRecord<String, byte[]> sent : autoAck.history()) {
                int value = Integer.parseInt(new String(sent.value(), java.nio.charset.StandardCharsets.US_ASCII));
                Integer previous = last.put(sent.key(), value);
                assertThat(previous == null || previous < value).as("order of key %s", sent.key()).isTrue();
            }
        } finally {
            wide.close();
        }
    }

    @Test
    void onceKafkaAcknowledgedATopicItsRecordsAreSentOnTheCallingThread() {
        List<String> sendingThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        MockProducer<String, byte[]> recording = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> record,
                                                                                 org.apache.kafka.clients.producer.Callback callback) {
                sendingThreads.add(Thread.currentThread().getName());
                return super.send(record, callback);
            }
        };
        EventWriter inline = new EventWriter(recording, 4, 100, 100_000, new GatewayMetrics(new SimpleMeterRegistry()));
        try {
            // Never acknowledged: the producer may still need metadata, which can block, so a sender thread sends.
            CompletableFuture<RecordMetadata> first = inline.write(List.of(record("a", 1))).get(0);
            await().until(() -> recording.history().size() == 1);
            assertThat(sendingThreads.get(0)).startsWith("gateway-sender-");
            recording.completeNext();
            first.join();

            inline.write(List.of(record("b", 1)));
            assertThat(recording.history()).hasSize(2); // sent before write() returned
            assertThat(sendingThreads.get(1)).isEqualTo(Thread.currentThread().getName());

            // Another topic is not acknowledged yet: back to a sender thread.
            inline.write(List.of(new EventWriter.Outgoing("hookline.events.other", "c", new byte[1], "evt_c")));
            await().until(() -> recording.history().size() == 3);
            assertThat(sendingThreads.get(2)).startsWith("gateway-sender-");
        } finally {
            inline.close();
        }
    }

    @Test
    void afterCloseWritesAre503() {
        writer.close();
        assertThatThrownBy(() -> writer.write(List.of(record("a", 1)))).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(503));
    }
}
