package io.hookline.replayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayerConfigTest {
    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_ADMIN_KEY", "admin");
        return env;
    }

    @Test
    void defaultsLetItShareTheRegistrarsDatabaseInItsOwnSchema() {
        ReplayerConfig c = ReplayerConfig.from(env());
        assertThat(c.httpPort()).isEqualTo(8083);
        assertThat(c.dbSchema()).isEqualTo("replayer");
        assertThat(c.defaultReplayRate()).isEqualTo(50.0);
        assertThat(c.maxReplayRate()).isEqualTo(1000.0);
        assertThat(c.kafkaTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.toString()).doesNotContain("admin");
    }

    @Test
    void badValuesNameTheirVariable() {
        Map<String, String> env = env();
        env.put("HOOKLINE_REPLAY_RATE", "0");
        assertThatThrownBy(() -> ReplayerConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_REPLAY_RATE:");
        env.put("HOOKLINE_REPLAY_RATE", "500");
        env.put("HOOKLINE_REPLAY_MAX_RATE", "100");
        assertThatThrownBy(() -> ReplayerConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_REPLAY_RATE:");
        env.remove("HOOKLINE_REPLAY_RATE");
        env.remove("HOOKLINE_REPLAY_MAX_RATE");
        env.put("HOOKLINE_DB_SCHEMA", "Bad-Schema");
        assertThatThrownBy(() -> ReplayerConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_DB_SCHEMA:");
        assertThatThrownBy(() -> ReplayerConfig.from(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_ADMIN_KEY");
    }
}
