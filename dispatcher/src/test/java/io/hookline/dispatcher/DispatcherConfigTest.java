package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import io.hookline.common.security.SecretCipher;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DispatcherConfigTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_SECRET_KEY", SecretCipher.generateKey());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsSuitAStandaloneDispatcher() {
        DispatcherConfig config = DispatcherConfig.from(env());
        assertThat(config.httpPort()).isEqualTo(8082);
        assertThat(config.stages()).containsExactlyInAnyOrder(DispatcherConfig.Stage.FANOUT,
                DispatcherConfig.Stage.DELIVERY);
        assertThat(config.kafka().topicPrefix()).isEqualTo("hookline");
        assertThat(config.fanOut().dedupeWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(config.delivery().defaultMaxInFlight()).isEqualTo(10);
        assertThat(config.retry().tiers().delays()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
                Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(12));
        assertThat(config.retry().defaultSchedule()).isEqualTo(io.hookline.dispatcher.retry.RetrySchedule.DEFAULT);
        assertThat(config.retry().recoveredAfter()).isEqualTo(5);
    }

    @Test
    void readsTheRetryTiersAndScheduleAndNamesABadOne() {
        DispatcherConfig config = DispatcherConfig.from(env("HOOKLINE_RETRY_TIERS", "1s,200ms",
                "HOOKLINE_RETRY_SCHEDULE", "200ms,1s,2s"));
        assertThat(config.retry().tiers().delays()).containsExactly(Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(config.retry().defaultSchedule().delays()).containsExactly(Duration.ofMillis(200),
                Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_RETRY_TIERS", "5 seconds")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HOOKLINE_RETRY_TIERS: ");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_RETRY_SCHEDULE", "5s,0s")))
                .hasMessageStartingWith("HOOKLINE_RETRY_SCHEDULE: retry delays must be positive");
        assertThat(DispatcherConfig.from(env("HOOKLINE_RECOVERED_AFTER", "0")).retry().recoveredAfter()).isZero();
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_RECOVERED_AFTER", "-1")))
                .hasMessageStartingWith("HOOKLINE_RECOVERED_AFTER: ");
    }

    @Test
    void readsTheStagesAndTheKafkaPassThrough() {
        DispatcherConfig config = DispatcherConfig.from(env("HOOKLINE_DISPATCHER_STAGES", "delivery",
                "HOOKLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "HOOKLINE_FANOUT_METADATA_MAX_AGE", "500ms"));
        assertThat(config.stages()).isEqualTo(Set.of(DispatcherConfig.Stage.DELIVERY));
        assertThat(config.kafka().clientConfig()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(config.fanOut().metadataMaxAge()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aBadValueNamesItsVariableInOneLine() {
        Map<String, String> noKey = env();
        noKey.remove("HOOKLINE_SECRET_KEY");
        assertThatThrownBy(() -> DispatcherConfig.from(noKey)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_SECRET_KEY: is required");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_SECRET_KEY", "short")))
                .hasMessageStartingWith("HOOKLINE_SECRET_KEY: must be the base64 of 32 random bytes");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_ALLOWED_NETWORKS", "10.0.0.0/99")))
                .hasMessageStartingWith("HOOKLINE_ALLOWED_NETWORKS: ");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_DISPATCHER_STAGES", "fanout,deliver")))
                .hasMessageStartingWith("HOOKLINE_DISPATCHER_STAGES: must be fanout, delivery");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_FANOUT_COMMIT_INTERVAL", "0ms")))
                .hasMessageStartingWith("HOOKLINE_FANOUT_COMMIT_INTERVAL: must be a positive duration");
        assertThatThrownBy(() -> DispatcherConfig.from(env("HOOKLINE_HTTP_PORT", "70000")))
                .hasMessageStartingWith("HOOKLINE_HTTP_PORT: ").hasMessageNotContaining("\n");
    }
}
