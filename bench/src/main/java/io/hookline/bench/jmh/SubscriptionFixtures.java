package io.hookline.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.EventIds;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import io.hookline.dispatcher.SubscriptionRecords;
import io.hookline.signature.WebhookSecret;
import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * Synthetic subscriptions shaped like the registrar's records on {@code hookline.subscriptions}, decoded the way the
 * dispatcher decodes them ({@link SubscriptionRecords#decode}, which drops fields no stage reads and shares repeated
 * strings). Subscriptions come in groups of {@link #GROUP} on one application's topic, spread over
 * {@link #TENANTS} tenants, so a lookup of an application's topic matches exactly one group (a fan-out of
 * {@link #GROUP}) whatever the total.
 */
public final class SubscriptionFixtures {
    /** Subscriptions per application topic: the fan-out of every lookup. */
    public static final int GROUP = 10;
    public static final int TENANTS = 100;
    public static final String EVENT = ".orders.created";

    private SubscriptionFixtures() {
    }

    public static String tenantOf(int group) {
        return "tenant-" + (group % TENANTS);
    }

    /** The topic every subscription of {@code group} matches: {@code app<group>.orders.created}. */
    public static String topicOf(int group) {
        return "app" + group + EVENT;
    }

    /**
     * Generates {@code count} subscription records one at a time (so the generation's garbage never piles up).
     *
     * @param wildcard        subscribe with {@code app<g>.*} instead of the exact topic
     * @param distinctSecrets encrypt a fresh secret for every subscription (as in production; slower to build) rather
     *                        than share one ciphertext
     */
    public static void generate(int count, boolean wildcard, boolean distinctSecrets,
                                BiConsumer<String, SubscriptionRecord> sink) {
        SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        String shared = cipher.encrypt(WebhookSecret.generate().toString());
        String now = Instant.now().toString();
        for (int i = 0; i < count; i++) {
            int group = i / GROUP;
            String id = EventIds.newId("sub_");
            ObjectNode json = Json.MAPPER.createObjectNode()
                    .put("id", id)
                    .put("tenant", tenantOf(group))
                    .put("url", "https://hooks.example.com/tenant-" + (group % TENANTS) + "/app" + group + "/" + i)
                    .put("description", "orders feed of application " + group);
            json.putArray("topics").add(wildcard ? "app" + group + ".*" : topicOf(group));
            json.put("status", SubscriptionRecord.ACTIVE).put("version", 1);
            json.putArray("secrets").addObject()
                    .put("encrypted", distinctSecrets ? cipher.encrypt(WebhookSecret.generate().toString()) : shared);
            json.put("createdAt", now).put("updatedAt", now);
            sink.accept(id, SubscriptionRecords.decode(Json.write(json)));
        }
    }

    /** A fresh index holding {@code count} generated subscriptions. */
    public static SubscriptionIndex index(int count, boolean wildcard, boolean distinctSecrets) {
        SubscriptionIndex index = new SubscriptionIndex();
        generate(count, wildcard, distinctSecrets, index::apply);
        return index;
    }
}
