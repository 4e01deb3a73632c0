package io.hookline.dispatcher.fanout;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one event into one {@link DeliveryTask} per matching active subscription (key = subscription id). Events
 * published with an idempotency key are remembered by (tenant, event id) for the dedupe window, so a second copy
 * (the gateway gives the same id to the same tenant + Idempotency-Key) produces no task. The memory is a windowed
 * state store: changelogged, restored after a crash, updated in the same transaction as the tasks it suppresses,
 * and bounded because whole segments expire with the window.
 */
final class FanOutProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutProcessor.class);

    static final String DEDUPE_STORE = "idempotent-event-ids";

    private final SubscriptionIndex index;
    private final FanOutMetrics metrics;
    private final long dedupeWindowMs;
    private ProcessorContext<String, byte[]> context;
    private WindowStore<String, Long> seen;

    FanOutProcessor(SubscriptionIndex index, FanOutMetrics metrics, Duration dedupeWindow) {
        this.index = index;
        this.metrics = metrics;
        this.dedupeWindowMs = dedupeWindow.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.seen = context.getStateStore(DEDUPE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        EventEnvelope event;
        try {
            event = Json.read(record.value(), EventEnvelope.class);
        } catch (RuntimeException e) {
            // A record that is not an envelope can never be delivered; stopping the stage for it would stop all.
            LOG.warn("skipping undecodable event on {}-{} offset {}: {}", source.topic(), source.partition(),
                    source.offset(), e.getMessage());
            metrics.undecodable();
            return;
        }
        if (event.idempotencyKey() != null && isDuplicate(event, record.timestamp())) {
            LOG.info("dropping duplicate event {} of tenant {} (idempotency key seen within {} ms)", event.id(),
                    event.tenant(), dedupeWindowMs);
            metrics.duplicate();
            return;
        }
        List<SubscriptionRecord> matches = index.match(event.tenant(), event.topic());
        Instant now = Instant.now();
        for (SubscriptionRecord subscription : matches) {
            DeliveryTask task = DeliveryTask.first(event, subscription.id(), now, source.partition(), source.offset());
            context.forward(record.withKey(subscription.id()).withValue(Json.write(task)));
        }
        metrics.fannedOut(matches.size());
        if (LOG.isDebugEnabled()) {
            LOG.debug("event {} on {} fanned out to {} subscriptions", event.id(), event.topic(), matches.size());
        }
    }

    private boolean isDuplicate(EventEnvelope event, long timestamp) {
        String key = event.tenant() + '\n' + event.id();
        // Either side of the timestamp: copies from different gateways need not arrive in clock order.
        try (WindowStoreIterator<Long> earlier = seen.fetch(key, Math.max(0, timestamp - dedupeWindowMs),
                timestamp + dedupeWindowMs)) {
            if (earlier.hasNext()) {
                return true;
            }
        }
        seen.put(key, timestamp, timestamp);
        return false;
    }
}
