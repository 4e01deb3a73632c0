package io.hookline.common.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Validated settings, read through the {@link ConfigDef.Key}s that declared them. */
public final class Config {
    private final Map<String, Object> values;
    private final Map<String, String> env;
    private final Set<String> declared;

    Config(Map<String, Object> values, Map<String, String> env, Set<String> declared) {
        this.values = values;
        this.env = Map.copyOf(env);
        this.declared = Set.copyOf(declared);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigDef.Key<T> key) {
        if (!values.containsKey(key.name())) {
            throw new IllegalArgumentException("setting not declared in this ConfigDef: " + key.name());
        }
        return (T) values.get(key.name());
    }

    /**
     * Every variable {@code <prefix><NAME>} turned into a client property: {@code HOOKLINE_KAFKA_SECURITY_PROTOCOL}
     * becomes {@code security.protocol}. This is how any Kafka client setting reaches the clients without Hookline
     * having to know it. Variables the service declares itself (such as {@code HOOKLINE_KAFKA_BOOTSTRAP_SERVERS} or a
     * {@code HOOKLINE_KAFKA_TIMEOUT} setting of Hookline's own) are not passed through.
     */
    public Map<String, String> passThrough(String prefix) {
        Map<String, String> out = new TreeMap<>();
        String full = ConfigDef.ENV_PREFIX + prefix;
        env.forEach((name, value) -> {
            if (name.startsWith(full) && name.length() > full.length() && !declared.contains(name)) {
                out.put(name.substring(full.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return out;
    }
}
