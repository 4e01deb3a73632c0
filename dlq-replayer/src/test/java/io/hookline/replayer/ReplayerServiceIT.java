package io.hookline.replayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import io.hookline.testkit.PostgresExtension;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, PostgresExtension.class})
class ReplayerServiceIT {
    private static Map<String, String> env(TestKafka kafka, TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("HOOKLINE_TOPIC_PREFIX", kafka.topicPrefix());
        env.put("HOOKLINE_DB_URL", db.jdbcUrl());
        env.put("HOOKLINE_DB_USER", db.user());
        env.put("HOOKLINE_DB_PASSWORD", db.password());
        env.put("HOOKLINE_ADMIN_KEY", "admin");
        return env;
    }

    @Test
    void servesOperationalEndpointsWhenKafkaAndDatabaseAreUp(TestKafka kafka, TestDatabase db) throws Exception {
        try (ReplayerService service = ReplayerService.start(ReplayerConfig.from(env(kafka, db)))) {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.httpPort() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    void anUnreachableDatabaseStopsStartUpWithOneLineNamingTheVariable(TestKafka kafka, TestDatabase db) {
        Map<String, String> env = env(kafka, db);
        env.put("HOOKLINE_DB_URL", "jdbc:postgresql://127.0.0.1:1/hookline");
        env.put("HOOKLINE_DB_CONNECT_TIMEOUT", "1s");
        assertThatThrownBy(() -> ReplayerService.start(ReplayerConfig.from(env)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOOKLINE_DB_URL: cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/hookline")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
