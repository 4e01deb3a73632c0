package io.hookline.dispatcher.fanout;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one event into one {@link DeliveryTask} per matching active subscription (key = subscription id).
 *
 * <p>It runs in two places of the topology. Reading the events topics ({@code dedupe == false}), it fans out events
 * without an idempotency key at once and sends the others, keyed by tenant and event id and with their source
 * partition and offset in headers, to {@link io.hookline.common.kafka.TopicNames#idempotentEvents()}. Reading that
 * topic ({@code dedupe == true}), it remembers each (tenant, event id) for the dedupe window, so a second copy (the
 * gateway gives the same id to the same tenant + Idempotency-Key) produces no task. The memory is a windowed state
 * store: changelogged, restored after a crash, updated in the same transaction as the tasks it suppresses, and
 * bounded because whole segments expire with the window. Keeping the store behind a topic with a fixed partition
 * count is what lets events topics of any partition count come and go.
 */
final class FanOutProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutProcessor.class);

    static final String DEDUPE_STORE = "idempotent-event-ids";
    static final String TO_DELIVERIES = "deliveries";
    static final String TO_DELIVERIES_AFTER_DEDUPE = "deliveries-after-dedupe";
    static final String TO_DEDUPE = "to-dedupe";
    static final String SOURCE_PARTITION = "hookline-source-partition";
    static final String SOURCE_OFFSET = "hookline-source-offset";

    private final SubscriptionIndex index;
    private final FanOutMetrics metrics;
    private final long dedupeWindowMs;
    private final boolean dedupe;
    private ProcessorContext<String, byte[]> context;
    private WindowStore<String, Long> seen;

    FanOutProcessor(SubscriptionIndex index, FanOutMetrics metrics, Duration dedupeWindow, boolean dedupe) {
        this.index = index;
        this.metrics = metrics;
        this.dedupeWindowMs = dedupeWindow.toMillis();
        this.dedupe = dedupe;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        if (dedupe) {
            this.seen = context.getStateStore(DEDUPE_STORE);
        }
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
        int partition = source.partition();
        long offset = source.offset();
        if (!dedupe && event.idempotencyKey() != null) {
            Headers headers = new RecordHeaders()
                    .add(SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.US_ASCII))
                    .add(SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.US_ASCII));
            context.forward(record.withKey(event.tenant() + '\n' + event.id()).withHeaders(headers), TO_DEDUPE);
            return;
        }
        if (dedupe) {
            partition = Integer.parseInt(header(record, SOURCE_PARTITION));
            offset = Long.parseLong(header(record, SOURCE_OFFSET));
            if (isDuplicate(event, record.timestamp())) {
                LOG.info("dropping duplicate event {} of tenant {} (idempotency key seen within {} ms)", event.id(),
                        event.tenant(), dedupeWindowMs);
                metrics.duplicate();
                return;
            }
        }
        List<SubscriptionRecord> matches = index.match(event.tenant(), event.topic());
        Instant now = Instant.now();
        for (SubscriptionRecord subscription : matches) {
            DeliveryTask task = DeliveryTask.first(event, subscription.id(), now, partition, offset);
            context.forward(record.withKey(subscription.id()).withValue(Json.write(task)).withHeaders(new RecordHeaders()),
                    dedupe ? TO_DELIVERIES_AFTER_DEDUPE : TO_DELIVERIES);
        }
        metrics.fannedOut(matches.size());
        if (LOG.isDebugEnabled()) {
            LOG.debug("event {} on {} fanned out to {} subscriptions", event.id(), event.topic(), matches.size());
        }
    }

    private static String header(Record<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null) {
            throw new IllegalStateException("idempotent event without its " + name + " header");
        }
        return new String(header.value(), StandardCharsets.US_ASCII);
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
