package io.hookline.dispatcher.retry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.event.OpsTopic;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's operational events on {@code hookline.ops} (see {@link OpsTopic}), written straight to the
 * topic's events topic like an accepted event, so the fan-out delivers them to the operators' subscriptions:
 *
 * <pre>{"type":"delivery.exhausted","subscriptionId":"sub_…","tenant":"acme","eventId":"evt_…","topic":"orders",
 *  "reason":"exhausted","attempts":10,"lastStatus":500,"lastError":"HTTP 500","deadLetterId":"dlq_…","at":"…"}
 * {"type":"delivery.recovered","subscriptionId":"sub_…","tenant":"acme","failures":7,"failingSince":"…","at":"…"}</pre>
 *
 * A {@code delivery.exhausted} event's id and idempotency key are derived from the task (subscription, event,
 * attempt, due time), so a task dead-lettered again after a crash (its offset not committed yet) yields the same
 * event, which the fan-out drops as a duplicate. Dead letters of {@code hookline.ops} events themselves are not
 * reported: an operator endpoint that fails would otherwise feed on its own reports.
 *
 * <p>Reports never hold up a task: they go out from their own thread through a bounded queue (a topic whose
 * metadata is missing blocks that thread, not delivery), are sent once, and are counted and dropped when the
 * queue is full or the broker refuses them. The dead letter on {@code hookline.dlq} stays the record of truth.
 */
public final class OpsEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsEvents.class);
    static final int QUEUE_CAPACITY = 10_000;

    private final String topic;
    private final RetryPublisher publisher;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicBoolean dropWarned = new AtomicBoolean();
    private final ThreadPoolExecutor sender;

    public OpsEvents(TopicNames names, RetryPublisher publisher, MeterRegistry registry) {
        this.topic = names.events(OpsTopic.NAME);
        this.publisher = publisher;
        this.registry = registry;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(QUEUE_CAPACITY), r -> {
                    Thread thread = new Thread(r, "ops-events");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Reports {@code letter}, which {@code hookline.dlq} has acknowledged. */
    public void deliveryExhausted(DeadLetter letter) {
        if (OpsTopic.NAME.equals(letter.task().event().topic())) {
            LOG.debug("not reporting dead letter {}: it is an event of {}", letter.id(), OpsTopic.NAME);
            return;
        }
        publish(OpsTopic.DELIVERY_EXHAUSTED, exhausted(letter), letter.task().subscriptionId());
    }

    public void deliveryRecovered(String tenant, FailureStreaks.Recovery recovery, Instant at) {
        publish(OpsTopic.DELIVERY_RECOVERED, recovered(tenant, recovery, at), recovery.subscriptionId());
    }

    static EventEnvelope exhausted(DeadLetter letter) {
        DeliveryTask task = letter.task();
        DeadLetter.AttemptSummary last = letter.lastAttempt();
        ObjectNode payload = OpsTopic.payload(OpsTopic.DELIVERY_EXHAUSTED)
                .put("subscriptionId", task.subscriptionId())
                .put("tenant", task.event().tenant())
                .put("eventId", task.event().id())
                .put("topic", task.event().topic())
                .put("reason", letter.reason())
                .put("attempts", last == null ? 0 : last.attempt());
        if (last != null && last.statusCode() != null) {
            payload.put("lastStatus", last.statusCode());
        } else {
            payload.putNull("lastStatus");
        }
        payload.put("lastError", last == null ? null : last.error());
        payload.put("deadLetterId", letter.id());
        Instant at = letter.deadAt() != null ? letter.deadAt() : Instant.now();
        if (task.dueAt() == null) {
            return OpsTopic.event(payload, at);
        }
        // What stays the same when the same task record is read and dead-lettered again after a crash.
        String key = OpsTopic.DELIVERY_EXHAUSTED + ':' + task.subscriptionId() + ':' + task.event().id() + ':'
                + task.attempt() + ':' + task.dueAt().toEpochMilli();
        return OpsTopic.event(EventIds.derivedEventId(task.dueAt().toEpochMilli(), key), key, payload, at);
    }

    static EventEnvelope recovered(String tenant, FailureStreaks.Recovery recovery, Instant at) {
        ObjectNode payload = OpsTopic.payload(OpsTopic.DELIVERY_RECOVERED)
                .put("subscriptionId", recovery.subscriptionId())
                .put("tenant", tenant)
                .put("failures", recovery.failures())
                .put("failingSince", recovery.failingSince().toString());
        return OpsTopic.event(payload, at);
    }

    private void publish(String type, EventEnvelope event, String subscriptionId) {
        try {
            sender.execute(() -> publisher.sendOnce(topic, event.kafkaKey(), Json.write(event))
                    .whenComplete((ok, error) -> {
                        if (error == null) {
                            count(type, "published");
                            LOG.debug("published {} {} for subscription {} on {}", type, event.id(), subscriptionId,
                                    OpsTopic.NAME);
                        } else {
                            count(type, "failed");
                            LOG.warn("could not publish {} {} for subscription {} on {}: {}", type, event.id(),
                                    subscriptionId, OpsTopic.NAME, error.toString());
                        }
                    }));
        } catch (RejectedExecutionException e) {
            count(type, "dropped");
            if (dropWarned.compareAndSet(false, true)) {
                LOG.warn("dropping {} {} for subscription {}: {} reports are waiting to be sent (further drops are "
                        + "only counted)", type, event.id(), subscriptionId, QUEUE_CAPACITY);
            }
        }
    }

    private void count(String type, String outcome) {
        counters.computeIfAbsent(type + '/' + outcome, k -> Counter.builder("hookline.ops.events")
                .description("Operational events the dispatcher reported on hookline.ops, by type and outcome")
                .tag("type", type).tag("outcome", outcome).register(registry)).increment();
    }

    /** Sends what is queued (bounded), before the producer closes. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
