package io.hookline.registrar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.hookline.common.json.Json;
import io.hookline.common.security.SecretCipher;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real registrar on real Kafka and PostgreSQL, driven through its real HTTP API. */
final class TestRegistrar implements AutoCloseable {
    static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final RegistrarService service;
    final Map<String, String> env;
    final String baseUrl;

    private TestRegistrar(RegistrarService service, Map<String, String> env) {
        this.service = service;
        this.env = env;
        this.baseUrl = "http://127.0.0.1:" + service.httpPort();
    }

    /** The environment of a registrar for this test class; one secret key per class. */
    static Map<String, String> env(TestKafka kafka, TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("HOOKLINE_TOPIC_PREFIX", kafka.topicPrefix());
        env.put("HOOKLINE_DB_URL", db.jdbcUrl());
        env.put("HOOKLINE_DB_USER", db.user());
        env.put("HOOKLINE_DB_PASSWORD", db.password());
        env.put("HOOKLINE_HTTP_PORT", "0");
        env.put("HOOKLINE_HTTP_HOST", "127.0.0.1");
        env.put("HOOKLINE_ADMIN_KEY", ADMIN_KEY);
        env.put("HOOKLINE_SECRET_KEY", SecretCipher.generateKey());
        // Test receivers live on loopback; everything else keeps the production policy.
        env.put("HOOKLINE_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128");
        env.put("HOOKLINE_DELIVERY_PARTITIONS", "2");
        env.put("HOOKLINE_OUTBOX_POLL_INTERVAL", "200ms");
        return env;
    }

    static TestRegistrar start(Map<String, String> env) {
        return new TestRegistrar(RegistrarService.start(RegistrarConfig.from(env)), Map.copyOf(env));
    }

    SecretCipher cipher() {
        return SecretCipher.fromBase64Key(env.get("HOOKLINE_SECRET_KEY"));
    }

    /** An HTTP answer with its body parsed as JSON (NullNode when empty). */
    record Response(int status, HttpHeaders headers, JsonNode body, String raw) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String text(String field) {
            JsonNode v = body.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    Response get(String path, String key) {
        return call("GET", path, key, null, Map.of());
    }

    Response post(String path, String key, String json) {
        return call("POST", path, key, json, Map.of());
    }

    Response patch(String path, String key, String json, Map<String, String> headers) {
        return call("PATCH", path, key, json, headers);
    }

    Response delete(String path, String key) {
        return call("DELETE", path, key, null, Map.of());
    }

    Response call(String method, String path, String key, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("content-type", "application/json");
        }
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            boolean isJson = response.headers().firstValue("content-type").orElse("").contains("json");
            JsonNode body = response.body().isEmpty() || !isJson ? NullNode.getInstance()
                    : Json.readTree(response.body().getBytes(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.headers(), body, response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Rows of a query against the registrar's schema, each as column -> value. */
    static List<Map<String, Object>> query(TestDatabase db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO registrar");
            try (ResultSet rs = s.executeQuery(sql)) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        service.close();
    }
}
