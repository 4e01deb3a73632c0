package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up against a Kafka that is not there ends with one line naming the variable, not a stack-trace wall. */
class GatewayStartupTest {

    @Test
    void unreachableKafkaStopsStartUpWithOneLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        GatewayConfig config = GatewayConfig.from(Map.of(
                "HOOKLINE_ADMIN_KEY", "k",
                "HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closedPort,
                "HOOKLINE_HTTP_HOST", "127.0.0.1",
                "HOOKLINE_HTTP_PORT", "0",
                "HOOKLINE_STARTUP_TIMEOUT", "2s"));
        assertThatThrownBy(() -> GatewayService.start(config))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS");
                    assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort).doesNotContain("\n");
                });
    }
}
