package io.hookline.common.config;

import io.hookline.common.kafka.TopicNames;
import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers, Hookline's topic prefix, and every
 * {@code HOOKLINE_KAFKA_*} client property passed through untouched (SASL, TLS, client tuning).
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, Map<String, String> clientProperties) {

    /** The keys a service declares to read these settings. */
    public record Keys(ConfigDef.Key<String> bootstrapServers, ConfigDef.Key<String> topicPrefix) {
    }

    public static Keys define(ConfigDef def) {
        return new Keys(
                def.define("KAFKA_BOOTSTRAP_SERVERS", ConfigDef.matching("[^\\s,]+(,[^\\s,]+)*", "host:port[,host:port...]"),
                        "127.0.0.1:9092", "Kafka bootstrap servers."),
                def.define("TOPIC_PREFIX", ConfigDef.matching("[a-zA-Z0-9_-]{1,100}", "letters, digits, '_' or '-'"),
                        TopicNames.DEFAULT_PREFIX, "Prefix of every Kafka topic Hookline uses."));
    }

    public static KafkaSettings from(Config config, Keys keys) {
        Map<String, String> props = new HashMap<>(config.passThrough("KAFKA_"));
        props.remove("bootstrap.servers");
        return new KafkaSettings(config.get(keys.bootstrapServers()), config.get(keys.topicPrefix()), Map.copyOf(props));
    }

    public TopicNames topicNames() {
        return new TopicNames(topicPrefix);
    }

    /** Base properties for any Kafka client: bootstrap servers plus the pass-through properties. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /** {@link #clientConfig()} with service-specific settings on top (the pass-through cannot override them). */
    public Map<String, Object> clientConfig(Map<String, Object> overrides) {
        Map<String, Object> config = clientConfig();
        config.putAll(overrides);
        return config;
    }
}
