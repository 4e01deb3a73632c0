package io.hookline.common.config;

/**
 * How a service logs: the level and the format (text lines or one JSON object per line). Logback reads both
 * variables itself when it starts (see {@code logback.xml}), before any service code runs; declaring them here makes
 * {@code --help} list them and makes a typo stop start-up with one line naming the variable, where logback alone
 * would silently fall back or stop logging.
 */
public final class LogSettings {
    private LogSettings() {
    }

    public static void define(ConfigDef def) {
        def.define("LOG_LEVEL", ConfigDef.matching("(?i)TRACE|DEBUG|INFO|WARN|ERROR|OFF",
                "one of TRACE, DEBUG, INFO, WARN, ERROR, OFF"), "INFO", "Level of Hookline's own log lines.");
        def.define("LOG_FORMAT", ConfigDef.matching("text|json", "text or json"), "text",
                "text: one line per event; json: one JSON object per line, with the event, subscription and "
                        + "attempt ids as fields (for log aggregators).");
    }
}
