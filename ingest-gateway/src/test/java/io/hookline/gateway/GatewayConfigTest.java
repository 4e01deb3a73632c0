package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    @Test
    void defaultsNeedOnlyTheAdminKey() {
        GatewayConfig config = GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "secret"));
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.maxPayloadBytes()).isEqualTo(262144);
        assertThat(config.maxRequestBytes()).isEqualTo(1048576);
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.publishRateOf("acme")).isZero();
    }

    @Test
    void missingAdminKeyNamesTheVariable() {
        assertThatThrownBy(() -> GatewayConfig.from(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_ADMIN_KEY: is required");
    }

    @Test
    void badValuesNameTheirVariable() {
        assertThatThrownBy(() -> GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_MAX_PAYLOAD_BYTES", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HOOKLINE_MAX_PAYLOAD_BYTES:");
        assertThatThrownBy(() -> GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_PUBLISH_TIMEOUT", "500ms")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HOOKLINE_PUBLISH_TIMEOUT: must be at least 1s");
        assertThatThrownBy(() -> GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_TENANT_QUOTAS", "acme:5")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HOOKLINE_TENANT_QUOTAS:");
        assertThatThrownBy(() -> GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HOOKLINE_HTTP_PORT:");
    }

    @Test
    void tenantQuotasOverrideTheDefaultRate() {
        GatewayConfig config = GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k",
                "HOOKLINE_TENANT_PUBLISH_RATE", "100", "HOOKLINE_TENANT_QUOTAS", "acme=5, globex=0"));
        assertThat(config.publishRateOf("acme")).isEqualTo(5);
        assertThat(config.publishRateOf("globex")).isZero();
        assertThat(config.publishRateOf("initech")).isEqualTo(100);
    }

    @Test
    void producerDurabilityCannotBeWeakenedByPassThrough() {
        GatewayConfig config = GatewayConfig.from(Map.of("HOOKLINE_ADMIN_KEY", "k",
                "HOOKLINE_KAFKA_ACKS", "1", "HOOKLINE_KAFKA_ENABLE_IDEMPOTENCE", "false",
                "HOOKLINE_KAFKA_LINGER_MS", "7", "HOOKLINE_PUBLISH_TIMEOUT", "4s"));
        Map<String, Object> producer = GatewayService.producerConfig(config);
        assertThat(producer).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "7")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
        long request = Long.parseLong(producer.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).toString());
        // Kafka refuses delivery.timeout.ms < linger.ms + request.timeout.ms.
        assertThat(request + 7).isLessThanOrEqualTo(4000);
        long buffer = Long.parseLong(producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG).toString());
        assertThat(buffer).isGreaterThan(config.maxInFlightBytes());
    }
}
