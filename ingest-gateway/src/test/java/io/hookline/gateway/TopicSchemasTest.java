package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.subscription.TopicRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TopicSchemasTest {
    private static final String ORDER_SCHEMA = """
            {"type": "object", "required": ["id", "items"],
             "properties": {
               "id": {"type": "string"},
               "items": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
             "$defs": {"item": {"type": "object", "properties": {"price": {"type": "number", "minimum": 0}}}}}
            """;

    private final TopicSchemas schemas = new TopicSchemas();

    private static JsonNode json(String text) {
        return PayloadParser.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static TopicRecord topic(String schema) {
        return new TopicRecord("orders", "acme", 6, null, schema == null ? null : json(schema), Instant.now());
    }

    @Test
    void topicsWithoutSchemaAcceptAnything() {
        assertThat(schemas.validate(topic(null), json("[1, \"x\"]"))).isEmpty();
    }

    @Test
    void conformingPayloadsPass() {
        assertThat(schemas.validate(topic(ORDER_SCHEMA), json("{\"id\":\"o1\",\"items\":[{\"price\":1.5}]}"))).isEmpty();
    }

    @Test
    void violationsNameTheFailingJsonPointer() {
        TopicRecord topic = topic(ORDER_SCHEMA);
        List<TopicSchemas.Violation> violations = schemas.validate(topic,
                json("{\"id\":\"o1\",\"items\":[{\"price\":1},{\"price\":-2}]}"));
        assertThat(violations).extracting(TopicSchemas.Violation::path).containsExactly("/items/1/price");
        assertThat(violations.get(0).message()).contains("minimum");

        List<TopicSchemas.Violation> missing = schemas.validate(topic, json("{\"items\":[]}"));
        assertThat(missing).extracting(TopicSchemas.Violation::path).containsExactly("");
        assertThat(missing.get(0).message()).contains("id");

        assertThat(schemas.validate(topic, json("\"just a string\""))).isNotEmpty();
    }

    @Test
    void reportsAtMostTenViolations() {
        String schema = "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}";
        StringBuilder payload = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            payload.append(i == 0 ? "" : ",").append(i);
        }
        assertThat(schemas.validate(topic(schema), json(payload.append("]").toString()))).hasSize(TopicSchemas.MAX_REPORTED);
    }

    @Test
    void aChangedSchemaIsRecompiled() {
        assertThat(schemas.validate(topic("{\"type\":\"string\"}"), json("1"))).isNotEmpty();
        assertThat(schemas.validate(topic("{\"type\":\"number\"}"), json("1"))).isEmpty();
    }

    @Test
    void olderDraftsAreDetectedFromSchemaKeyword() {
        String draft7 = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
                + "\"properties\":{\"n\":{\"type\":\"integer\",\"exclusiveMaximum\":5}}}";
        assertThat(schemas.validate(topic(draft7), json("{\"n\":5}"))).isNotEmpty();
        assertThat(schemas.validate(topic(draft7), json("{\"n\":4}"))).isEmpty();
    }

    @Test
    void remoteReferencesAreNeverFetched() throws IOException {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (Socket accepted = server.accept()) {
                    if (accepted.isConnected()) {
                        connections.incrementAndGet();
                    }
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            accept.setDaemon(true);
            accept.start();
            String schema = "{\"$ref\":\"http://127.0.0.1:" + server.getLocalPort() + "/schema.json\"}";
            assertThatThrownBy(() -> schemas.validate(topic(schema), json("{}")))
                    .isInstanceOf(TopicSchemas.SchemaUnusableException.class);
            String classpath = "{\"$ref\":\"classpath:logback.xml\"}";
            assertThatThrownBy(() -> schemas.validate(topic(classpath), json("{}")))
                    .isInstanceOf(TopicSchemas.SchemaUnusableException.class);
        }
        assertThat(connections.get()).isZero();
    }

    @Test
    void unusableSchemasAreReportedNotThrownAsSomethingElse() {
        assertThatThrownBy(() -> schemas.validate(topic("{\"$ref\": \"#/$defs/missing\"}"), json("{}")))
                .isInstanceOf(TopicSchemas.SchemaUnusableException.class);
        assertThatThrownBy(() -> schemas.validate(topic("[1,2]"), json("{}")))
                .isInstanceOf(TopicSchemas.SchemaUnusableException.class);
    }

}
