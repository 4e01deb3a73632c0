package io.hookline.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.DeliveryTaskCodec;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.delivery.WebhookRequest;
import io.hookline.dispatcher.delivery.WebhookRequestFactory;
import io.hookline.signature.WebhookSecret;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JSON work per event on the hot path, with a realistic ~1 KiB order payload: the event envelope (gateway →
 * events topic → fan-out) and the delivery task (fan-out → deliveries topic → delivery stage) encoded and decoded
 * with {@link Json#MAPPER}; the fan-out stage's per-event work at fan-out 10 (one envelope decode, ten task
 * encodes, each re-encoding the payload); the delivery stage's request build (body + signature); and the event id.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class EnvelopeJsonBenchmark {
    private EventEnvelope envelope;
    private byte[] envelopeJson;
    private DeliveryTask task;
    private byte[] taskJson;
    private String[] subscriptionIds;
    private WebhookRequestFactory requests;
    private SubscriptionRecord subscription;

    @Setup
    public void setUp() {
        envelope = new EventEnvelope(EventIds.newEventId(), "orders.created", "default", null, null, Instant.now(),
                Instant.now(), orderPayload());
        envelopeJson = Json.write(envelope);
        task = DeliveryTask.first(envelope, EventIds.newId("sub_"), Instant.now(), 3, 123_456L);
        taskJson = Json.write(task);
        subscriptionIds = new String[10];
        for (int i = 0; i < subscriptionIds.length; i++) {
            subscriptionIds[i] = EventIds.newId("sub_");
        }
        SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        requests = new WebhookRequestFactory(cipher);
        subscription = new SubscriptionRecord(task.subscriptionId(), "default", "https://hooks.example.com/orders",
                List.of("orders.*"), null, null, null, null, null, null, null, null, null, SubscriptionRecord.ACTIVE,
                1, List.of(new SubscriptionRecord.SigningSecret(cipher.encrypt(WebhookSecret.generate().toString()),
                null)), null, null);
    }

    /** An order of a few line items: about 1 KiB of JSON with strings, integers, decimals, nesting and an array. */
    static JsonNode orderPayload() {
        ObjectNode order = Json.MAPPER.createObjectNode()
                .put("orderId", "ord_8f14e45fceea167a5a36dedd4bea2543")
                .put("customerId", "cus_1679091c5a880faf6fb5e6087eb1b2dc")
                .put("currency", "EUR")
                .put("total", new java.math.BigDecimal("184.97"))
                .put("placedAt", "2026-11-22T10:15:30.123Z");
        ObjectNode address = order.putObject("shippingAddress");
        address.put("name", "Ada Lovelace").put("line1", "12 St James's Square").put("city", "London")
                .put("postalCode", "SW1Y 4JH").put("country", "GB");
        ArrayNode items = order.putArray("items");
        for (int i = 0; i < 5; i++) {
            items.addObject().put("sku", "SKU-" + (10_000 + i * 7)).put("name", "Item number " + i + " with a name")
                    .put("quantity", i + 1).put("unitPrice", new java.math.BigDecimal("12.99"))
                    .put("taxRate", new java.math.BigDecimal("0.20"));
        }
        order.putObject("metadata").put("channel", "web").put("campaign", "autumn-sale").put("giftWrap", false);
        return order;
    }

    @Benchmark
    public byte[] encodeEnvelope() {
        return Json.write(envelope);
    }

    @Benchmark
    public EventEnvelope decodeEnvelope() {
        return Json.read(envelopeJson, EventEnvelope.class);
    }

    @Benchmark
    public byte[] encodeDeliveryTask() {
        return Json.write(task);
    }

    @Benchmark
    public DeliveryTask decodeDeliveryTask() {
        return Json.read(taskJson, DeliveryTask.class);
    }

    /** How the delivery stage decodes a task: the payload kept as raw bytes. */
    @Benchmark
    public DeliveryTask decodeDeliveryTaskRaw() {
        return DeliveryTaskCodec.decode(taskJson);
    }

    /** What FanOutProcessor does per event at fan-out 10 (minus Kafka): decode, then one task per subscription. */
    @Benchmark
    public void fanOutOneEventTo10(Blackhole bh) {
        EventEnvelope event = Json.read(envelopeJson, EventEnvelope.class);
        Instant now = Instant.now();
        for (String id : subscriptionIds) {
            bh.consume(Json.write(DeliveryTask.first(event, id, now, 3, 123_456L)));
        }
    }

    /** What the delivery stage does per task before the HTTP client: decode the task, build body and signature. */
    @Benchmark
    public WebhookRequest deliverOneTask() {
        DeliveryTask decoded = DeliveryTaskCodec.decode(taskJson);
        return requests.build(decoded, subscription, Instant.now());
    }

    @Benchmark
    public String newEventId() {
        return EventIds.newEventId();
    }
}
