package io.hookline.common.kafka;

import io.hookline.common.config.ConfigException;
import io.hookline.common.config.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** A start-up check so an unreachable Kafka stops a service with one line instead of endless client retries. */
public final class KafkaReachability {
    private KafkaReachability() {
    }

    /**
     * An admin client whose calls give up after {@code timeout} (requests after at most 30 s), once Kafka has
     * answered; an unreachable Kafka stops start-up with one line.
     */
    public static Admin openAdmin(KafkaSettings kafka, String clientId, Duration timeout) {
        Admin admin = Admin.create(kafka.clientConfig(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, clientId,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000))));
        try {
            require(admin, kafka.bootstrapServers(), timeout);
            return admin;
        } catch (RuntimeException e) {
            admin.close(Duration.ofSeconds(5));
            throw e;
        }
    }

    public static void require(Admin admin, String bootstrapServers, Duration timeout) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .clusterId().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ConfigException("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS",
                    "cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "interrupted while connecting to Kafka");
        }
    }
}
