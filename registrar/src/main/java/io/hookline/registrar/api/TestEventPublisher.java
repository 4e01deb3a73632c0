package io.hookline.registrar.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.KafkaUnavailableException;
import io.hookline.common.kafka.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a test event to one subscription through the real delivery path: a {@link DeliveryTask} on
 * {@code hookline.deliveries} (key = subscription id), which the dispatcher signs and POSTs like any other
 * delivery, retries included. The event's topic is {@value #TEST_TOPIC}; it has no events topic, so its source
 * partition and offset are -1.
 */
public final class TestEventPublisher {
    public static final String TEST_TOPIC = "hookline.test";

    private final Producer<String, byte[]> producer;
    private final TopicNames names;
    private final Duration timeout;

    public TestEventPublisher(Producer<String, byte[]> producer, TopicNames names, Duration timeout) {
        this.producer = producer;
        this.names = names;
        this.timeout = timeout;
    }

    /** Publishes the task and waits for Kafka's acknowledgement; returns the event. */
    public EventEnvelope send(String subscriptionId, String tenant, JsonNode payload) {
        Instant now = Instant.now();
        EventEnvelope event = new EventEnvelope(EventIds.newEventId(), TEST_TOPIC, tenant, null, null, now, now,
                payload);
        DeliveryTask task = DeliveryTask.first(event, subscriptionId, now, -1, -1);
        try {
            producer.send(new ProducerRecord<>(names.deliveries(), subscriptionId, Json.write(task)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return event;
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("cannot publish the test event: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while publishing the test event", e);
        }
    }
}
