package io.hookline.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {
    private final ConfigDef def = new ConfigDef();
    private final ConfigDef.Key<Integer> port = def.define("HTTP_PORT", ConfigDef.port(), "8080", "HTTP port.");
    private final ConfigDef.Key<String> admin = def.defineRequired("ADMIN_KEY", ConfigDef.nonEmpty(), "Admin key.");
    private final ConfigDef.Key<Duration> wait = def.define("WAIT", ConfigDef.duration(), "5s", "A wait.");
    private final KafkaSettings.Keys kafka = KafkaSettings.define(def);

    @Test
    void appliesDefaultsAndParsesValues() {
        Config config = def.parse(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_WAIT", "250ms"));
        assertThat(config.get(port)).isEqualTo(8080);
        assertThat(config.get(wait)).isEqualTo(Duration.ofMillis(250));
        assertThat(KafkaSettings.from(config, kafka).bootstrapServers()).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void aBadValueNamesTheVariableInOneLine() {
        assertThatThrownBy(() -> def.parse(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_HTTP_PORT", "80a")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HOOKLINE_HTTP_PORT: must be an integer between 0 and 65535, got '80a'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> def.parse(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_HTTP_PORT", "70000")))
                .hasMessageStartingWith("HOOKLINE_HTTP_PORT: must be an integer");
        assertThatThrownBy(() -> def.parse(Map.of("HOOKLINE_ADMIN_KEY", "k", "HOOKLINE_WAIT", "soon")))
                .hasMessageStartingWith("HOOKLINE_WAIT: must be a duration");
    }

    @Test
    void aMissingRequiredValueNamesTheVariable() {
        assertThatThrownBy(() -> def.parse(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_ADMIN_KEY: is required");
    }

    @Test
    void kafkaClientPropertiesPassThrough() {
        Config config = def.parse(Map.of("HOOKLINE_ADMIN_KEY", "k",
                "HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093",
                "HOOKLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "HOOKLINE_KAFKA_SASL_MECHANISM", "PLAIN"));
        KafkaSettings settings = KafkaSettings.from(config, kafka);
        assertThat(settings.clientConfig())
                .containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN");
        assertThat(settings.clientProperties()).doesNotContainKey("bootstrap.servers");
    }

    @Test
    void declaredSettingsUnderTheKafkaPrefixAreNotPassedToClients() {
        ConfigDef withTimeout = new ConfigDef();
        withTimeout.define("KAFKA_TIMEOUT", ConfigDef.duration(), "15s", "Hookline's own Kafka timeout.");
        KafkaSettings.Keys keys = KafkaSettings.define(withTimeout);
        Config config = withTimeout.parse(Map.of("HOOKLINE_KAFKA_TIMEOUT", "5s", "HOOKLINE_KAFKA_LINGER_MS", "5"));
        assertThat(KafkaSettings.from(config, keys).clientProperties()).containsOnlyKeys("linger.ms");
    }

    @Test
    void describeListsEverySetting() {
        assertThat(def.describe()).contains("HOOKLINE_HTTP_PORT (default: 8080)", "HOOKLINE_ADMIN_KEY (required)");
    }
}
