package io.hookline.common.kafka;

import io.hookline.common.config.ConfigException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** A start-up check so an unreachable Kafka stops a service with one line instead of endless client retries. */
public final class KafkaReachability {
    private KafkaReachability() {
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
