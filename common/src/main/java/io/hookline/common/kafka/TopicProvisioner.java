package io.hookline.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Hookline's topics with the configs of the design contract, idempotently: a topic that already
 * exists is left as it is, so every instance of every service can call this at start-up.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    public static final int DEFAULT_EVENT_PARTITIONS = 6;
    public static final int DEFAULT_DELIVERY_PARTITIONS = 12;
    private static final Duration EVENTS_RETENTION = Duration.ofDays(7);
    private static final Duration DLQ_RETENTION = Duration.ofDays(14);
    private static final Duration ATTEMPTS_RETENTION = Duration.ofDays(3);

    private final Admin admin;
    private final TopicNames names;

    public TopicProvisioner(Admin admin, TopicNames names) {
        this.admin = admin;
        this.names = names;
    }

    /** The topics every service relies on; the events topics are created per Hookline topic. */
    public List<NewTopic> systemTopics(int deliveryPartitions) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(compacted(names.subscriptions()));
        topics.add(compacted(names.topicRegistry()));
        topics.add(compacted(names.apiKeys()));
        topics.add(new NewTopic(names.deliveries(), Optional.of(deliveryPartitions), Optional.empty()));
        topics.add(retained(names.idempotentEvents(), DEFAULT_EVENT_PARTITIONS, EVENTS_RETENTION));
        topics.add(retained(names.dlq(), DEFAULT_DELIVERY_PARTITIONS, DLQ_RETENTION));
        topics.add(retained(names.attempts(), DEFAULT_DELIVERY_PARTITIONS, ATTEMPTS_RETENTION));
        return topics;
    }

    public NewTopic eventsTopic(String hooklineTopic, int partitions) {
        return retained(names.events(hooklineTopic), partitions, EVENTS_RETENTION);
    }

    public void ensureSystemTopics(int deliveryPartitions, Duration timeout) {
        ensure(systemTopics(deliveryPartitions), timeout);
    }

    /** Creates the topics that are missing; returns the names this call created. */
    public List<String> ensure(Collection<NewTopic> topics, Duration timeout) {
        CreateTopicsResult result = admin.createTopics(topics);
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(e.getKey());
                LOG.info("created Kafka topic {}", e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new KafkaUnavailableException("could not create topic " + e.getKey() + ": "
                            + ex.getCause().getMessage(), ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new KafkaUnavailableException("timed out creating topic " + e.getKey(), ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new KafkaUnavailableException("interrupted creating topic " + e.getKey(), ex);
            }
        }
        return created;
    }

    private static NewTopic compacted(String name) {
        return new NewTopic(name, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    private static NewTopic retained(String name, int partitions, Duration retention) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis())));
    }
}
