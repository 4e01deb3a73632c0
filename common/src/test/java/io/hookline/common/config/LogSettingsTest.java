package io.hookline.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
    private static final ConfigDef DEF = new ConfigDef();

    static {
        LogSettings.define(DEF);
    }

    @Test
    void aTypoInTheFormatOrLevelStopsStartUpNamingTheVariable() {
        // logback would silently drop every line for an unknown format (no appender of that name).
        assertThatThrownBy(() -> DEF.parse(Map.of("HOOKLINE_LOG_FORMAT", "JSON")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HOOKLINE_LOG_FORMAT")
                .hasMessageContaining("text or json");
        assertThatThrownBy(() -> DEF.parse(Map.of("HOOKLINE_LOG_LEVEL", "verbose")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HOOKLINE_LOG_LEVEL");
    }

    @Test
    void theValuesLogbackUnderstandsAreAccepted() {
        DEF.parse(Map.of("HOOKLINE_LOG_FORMAT", "json", "HOOKLINE_LOG_LEVEL", "debug"));
        DEF.parse(Map.of("HOOKLINE_LOG_FORMAT", "text", "HOOKLINE_LOG_LEVEL", "WARN"));
        assertThat(DEF.describe()).contains("HOOKLINE_LOG_FORMAT (default: text)", "HOOKLINE_LOG_LEVEL (default: INFO)");
    }
}
