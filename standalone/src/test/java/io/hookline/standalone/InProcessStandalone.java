package io.hookline.standalone;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The whole standalone in the test's JVM, every port (broker, database, services) chosen free by the system. */
final class InProcessStandalone {
    private InProcessStandalone() {
    }

    /** {@code settings} add to or override the free-port defaults, e.g. a scaled-down retry schedule. */
    static Standalone start(Path dataDir, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of(
                "HOOKLINE_DATA_DIR", dataDir.toString(),
                "HOOKLINE_GATEWAY_PORT", "0", "HOOKLINE_REGISTRAR_PORT", "0",
                "HOOKLINE_DISPATCHER_PORT", "0", "HOOKLINE_REPLAYER_PORT", "0",
                "HOOKLINE_BROKER_PORT", "0", "HOOKLINE_BROKER_CONTROLLER_PORT", "0", "HOOKLINE_DB_PORT", "0"));
        env.putAll(settings);
        return Standalone.start(StandaloneConfig.from(env));
    }
}
