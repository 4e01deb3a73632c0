package io.hookline.registrar.health;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.OpsTopic;
import io.hookline.common.kafka.KafkaUnavailableException;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.OutboxChannel;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.TopicRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar's operational events on the system Hookline topic {@code hookline.ops} (tenant {@code default},
 * see {@link OpsTopic}): operators subscribe to it like to any other topic and the dispatcher delivers its events.
 * Events are written through the outbox in the transaction of the change they report, so one is never lost nor
 * published for a rolled-back change.
 *
 * <pre>{"type":"subscription.disabled","subscriptionId":"sub_…","tenant":"acme","reason":"gone",
 * "at":"2026-11-22T07:40:00.123Z"}</pre>
 */
public final class OperationalEvents {
    private static final Logger LOG = LoggerFactory.getLogger(OperationalEvents.class);
    public static final String TOPIC = OpsTopic.NAME;
    public static final String TENANT = OpsTopic.TENANT;
    static final int PARTITIONS = OpsTopic.PARTITIONS;

    private final OutboxRepository outbox;

    public OperationalEvents(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    /** Appends {@code subscription.disabled} for {@code subscription} to the outbox, in the caller's transaction. */
    public EventEnvelope subscriptionDisabled(Handle h, SubscriptionRecord subscription, String reason, Instant at) {
        ObjectNode payload = OpsTopic.payload(OpsTopic.SUBSCRIPTION_DISABLED)
                .put("subscriptionId", subscription.id())
                .put("tenant", subscription.tenant())
                .put("reason", reason);
        EventEnvelope event = OpsTopic.event(payload, at);
        outbox.opsEvent(h, event);
        return event;
    }

    /**
     * Makes {@code hookline.ops} exist like {@code POST /v1/topics} would (idempotent, at start-up): the Kafka topic
     * {@code <prefix>.events.hookline.ops}, then the row of tenant {@code default} with its {@link TopicRecord}
     * through the outbox. A topic of that name that already exists is left as it is.
     */
    public static void ensureTopic(ServiceDatabase database, TopicRepository topics, OutboxRepository outbox,
                                   TopicProvisioner provisioner, Admin admin, TopicNames names, Duration timeout) {
        String kafkaName = names.events(TOPIC);
        List<String> created = provisioner.ensure(List.of(provisioner.eventsTopic(TOPIC, PARTITIONS)), timeout);
        Optional<TopicRecord> existing = database.read(h -> topics.find(h, TOPIC));
        if (existing.isPresent()) {
            if (!TENANT.equals(existing.get().tenant())) {
                LOG.warn("topic {} belongs to tenant {}, not {}: operational events are published to it anyway",
                        TOPIC, existing.get().tenant(), TENANT);
            }
            return;
        }
        int partitions = created.contains(kafkaName) ? PARTITIONS : partitionsOf(admin, kafkaName, timeout);
        TopicRecord record = new TopicRecord(TOPIC, TENANT, partitions,
                "Hookline operational events (subscription.disabled, delivery.exhausted, delivery.recovered)", null,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        boolean inserted = database.write(h -> {
            if (!topics.insert(h, record)) {
                return false; // another registrar instance was first, or a name Kafka confuses with it is taken
            }
            outbox.topicChanged(h, record);
            return true;
        });
        if (inserted) {
            LOG.info("system topic {} created for tenant {} (Kafka topic {})", TOPIC, TENANT, kafkaName);
        }
    }

    private static int partitionsOf(Admin admin, String kafkaName, Duration timeout) {
        try {
            return admin.describeTopics(List.of(kafkaName)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(kafkaName).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("cannot describe topic " + kafkaName + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while describing topic " + kafkaName, e);
        }
    }
}
