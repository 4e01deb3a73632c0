package io.hookline.registrar.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.http.ProblemException;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TopicSchemasTest {
    private static JsonNode json(String text) throws Exception {
        return Json.readTree(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRejected(String schema, String field, String detailPart) throws Exception {
        JsonNode node = json(schema);
        assertThatThrownBy(() -> TopicSchemas.check(node, "schema"))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(422);
                    assertThat(e.problem().field()).isEqualTo(field);
                    assertThat(e.problem().detail()).contains(detailPart);
                });
    }

    @Test
    void acceptsOrdinarySchemasOfEveryKnownDraft() throws Exception {
        for (String schema : new String[] {
                "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\"}}}",
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\"}",
                "{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",\"type\":\"array\"}",
                "{\"$defs\":{\"item\":{\"type\":\"integer\"}},\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/item\"}}"}) {
            JsonNode node = json(schema);
            assertThatCode(() -> TopicSchemas.check(node, "schema")).doesNotThrowAnyException();
        }
    }

    @Test
    void rejectsInvalidSchemas() throws Exception {
        assertRejected("{\"type\":\"no-such-type\"}", "schema", "not a valid JSON Schema");
        assertRejected("{\"required\":\"id\"}", "schema", "not a valid JSON Schema");
        assertRejected("{\"$schema\":\"https://example.com/my-meta\"}", "schema.$schema", "must be one of");
    }

    @Test
    void rejectsRemoteReferences() throws Exception {
        assertRejected("{\"properties\":{\"a\":{\"$ref\":\"https://example.com/s.json\"}}}",
                "schema.properties.a.$ref", "only local references");
    }

    @Test
    void rejectsNonObjects() throws Exception {
        assertRejected("[1]", "schema", "must be a JSON Schema object");
    }
}
