package io.hookline.dispatcher;

import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.signature.WebhookSecret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heap held by N subscriptions in the dispatcher (the subscriptions view's map plus the {@link SubscriptionIndex})
 * and the cost of a lookup, for issue 5's "10^6 subscriptions in under 1 GiB". Not a test: a measurement to move to
 * {@code bench/}. Run with the shaded jar on the class path:
 * {@code java -Xmx1g -cp target/hookline-dispatcher.jar:target/test-classes
 * io.hookline.dispatcher.SubscriptionIndexFootprint 1000000}.
 */
public final class SubscriptionIndexFootprint {
    private SubscriptionIndexFootprint() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String secret = SecretCipher.fromBase64Key(SecretCipher.generateKey()).encrypt(WebhookSecret.generate().toString());
        long before = usedHeap();
        Map<String, SubscriptionRecord> view = new ConcurrentHashMap<>();
        SubscriptionIndex index = new SubscriptionIndex();
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            String id = "sub_01J" + String.format("%023d", i);
            SubscriptionRecord record = new SubscriptionRecord(id, "tenant-" + (i % 1000),
                    "https://hooks.customer-" + i + ".example.com/webhooks/in",
                    List.of("orders." + (i % 50) + ".*", "invoices.paid." + random.nextInt(1000)), "a subscription",
                    null, null, null, null, null, null, null, null, "active", 1,
                    List.of(new SubscriptionRecord.SigningSecret(secret, null)), Instant.now(), Instant.now());
            // Decoded from JSON as the view does, so no string is shared by accident.
            SubscriptionRecord decoded = SubscriptionRecords.decode(Json.write(record));
            view.put(new String(id), decoded);
            index.apply(id, decoded);
        }
        long after = usedHeap();
        long start = System.nanoTime();
        long matches = 0;
        for (int i = 0; i < 100_000; i++) {
            matches += index.match("tenant-" + (i % 1000), "orders." + (i % 50) + ".created").size();
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("%d subscriptions: %.1f MiB of heap (%.0f bytes each); lookup %.2f us for %d matches%n", n,
                (after - before) / 1048576.0, (after - before) / (double) n, elapsed / 1e3 / 100_000,
                matches / 100_000);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
