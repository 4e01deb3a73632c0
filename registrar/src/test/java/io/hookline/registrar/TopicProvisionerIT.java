package io.hookline.registrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * Every service provisions the topics it needs at start-up: with the names and configs of the design contract
 * (compacted views, the retention of events, dead letters and attempts), and idempotently, so that any number of
 * instances can do it at once or again.
 */
@WithKafka
class TopicProvisionerIT {
    static TestKafka kafka;

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    @Test
    void systemAndEventsTopicsGetTheDesignConfigsAndProvisioningAgainChangesNothing() throws Exception {
        TopicNames names = new TopicNames(kafka.topicPrefix());
        try (Admin admin = kafka.newAdmin()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, names);
            List<String> created = provisioner.ensure(provisioner.systemTopics(4), Duration.ofSeconds(30));
            created.addAll(provisioner.ensure(List.of(provisioner.eventsTopic("orders.created", 3)),
                    Duration.ofSeconds(30)));
            assertThat(created).containsExactlyInAnyOrder(
                    kafka.topicPrefix() + ".subscriptions", kafka.topicPrefix() + ".topics",
                    kafka.topicPrefix() + ".api-keys", kafka.topicPrefix() + ".deliveries",
                    kafka.topicPrefix() + ".fanout.idempotent-events", kafka.topicPrefix() + ".dlq",
                    kafka.topicPrefix() + ".attempts", kafka.topicPrefix() + ".events.orders.created");

            for (String compacted : List.of(names.subscriptions(), names.topicRegistry(), names.apiKeys())) {
                assertThat(config(admin, compacted, TopicConfig.CLEANUP_POLICY_CONFIG)).as(compacted)
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            assertThat(config(admin, names.events("orders.created"), TopicConfig.RETENTION_MS_CONFIG))
                    .isEqualTo(Long.toString(7 * DAY_MS));
            assertThat(config(admin, names.dlq(), TopicConfig.RETENTION_MS_CONFIG)).isEqualTo(Long.toString(14 * DAY_MS));
            assertThat(config(admin, names.attempts(), TopicConfig.RETENTION_MS_CONFIG))
                    .isEqualTo(Long.toString(3 * DAY_MS));
            assertThat(partitions(admin, names.events("orders.created"))).isEqualTo(3);
            assertThat(partitions(admin, names.deliveries())).isEqualTo(4);

            // A second instance starting later, or a restart: nothing is created again, nothing fails.
            assertThat(provisioner.ensure(provisioner.systemTopics(12), Duration.ofSeconds(30))).isEmpty();
            assertThat(provisioner.ensure(List.of(provisioner.eventsTopic("orders.created", 6)),
                    Duration.ofSeconds(30))).isEmpty();
            assertThat(partitions(admin, names.deliveries())).as("an existing topic is left as it is").isEqualTo(4);
        }
    }

    /** A new topic's metadata reaches the broker's view a moment after creation returned: read it once it has. */
    private static String config(Admin admin, String topic, String name) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return await(topic).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all()
                    .get(10, TimeUnit.SECONDS);
            return configs.get(resource).get(name).value();
        }, value -> true);
    }

    private static int partitions(Admin admin, String topic) {
        return await(topic).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin
                .describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().size(), value -> true);
    }
}
