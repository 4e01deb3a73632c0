package io.hookline.registrar.api;

import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.hookline.common.json.Json;
import io.hookline.common.http.ProblemException;
import java.util.Map;
import java.util.Set;

/**
 * Checks a topic's JSON Schema before it is stored and broadcast, so the gateway only ever receives schemas it
 * can compile: an object of at most 64 KiB, valid against its meta-schema (draft 2020-12 unless {@code $schema}
 * names draft 4, 6, 7 or 2019-09), with local references only ({@code "$ref": "#/..."}) — a remote reference
 * would make Hookline fetch arbitrary URLs.
 */
public final class TopicSchemas {
    public static final int MAX_BYTES = 64 * 1024;
    private static final Map<String, SpecVersion.VersionFlag> DRAFTS = Map.of(
            "https://json-schema.org/draft/2020-12/schema", SpecVersion.VersionFlag.V202012,
            "https://json-schema.org/draft/2019-09/schema", SpecVersion.VersionFlag.V201909,
            "http://json-schema.org/draft-07/schema", SpecVersion.VersionFlag.V7,
            "http://json-schema.org/draft-06/schema", SpecVersion.VersionFlag.V6,
            "http://json-schema.org/draft-04/schema", SpecVersion.VersionFlag.V4);
    private static final Set<String> REFERENCES = Set.of("$ref", "$dynamicRef", "$recursiveRef");

    private TopicSchemas() {
    }

    /** Throws a 422 naming {@code field} when {@code schema} is not acceptable. */
    public static void check(JsonNode schema, String field) {
        if (!schema.isObject()) {
            throw RequestFields.invalid(field, "must be a JSON Schema object");
        }
        if (Json.write(schema).length > MAX_BYTES) {
            throw RequestFields.invalid(field, "must be at most " + MAX_BYTES + " bytes of JSON");
        }
        SpecVersion.VersionFlag version = SpecVersion.VersionFlag.V202012;
        String metaSchema = "https://json-schema.org/draft/2020-12/schema";
        JsonNode declared = schema.get("$schema");
        if (declared != null) {
            String uri = declared.isTextual() ? declared.textValue().replaceAll("#$", "") : null;
            if (uri == null || !DRAFTS.containsKey(uri)) {
                throw RequestFields.invalid(field + ".$schema", "must be one of " + String.join(", ", DRAFTS.keySet()));
            }
            version = DRAFTS.get(uri);
            metaSchema = uri;
        }
        checkReferences(schema, field);
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version);
        try {
            Set<ValidationMessage> problems = factory.getSchema(SchemaLocation.of(metaSchema)).validate(schema);
            if (!problems.isEmpty()) {
                ValidationMessage first = problems.iterator().next();
                throw RequestFields.invalid(field, "is not a valid JSON Schema: " + first.getMessage());
            }
            JsonSchema compiled = factory.getSchema(schema);
            compiled.initializeValidators();
        } catch (JsonSchemaException e) {
            throw RequestFields.invalid(field, "is not a valid JSON Schema: " + e.getMessage());
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw RequestFields.invalid(field, "cannot be compiled: " + e.getMessage());
        }
    }

    private static void checkReferences(JsonNode node, String path) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String child = path + "." + e.getKey();
                if (REFERENCES.contains(e.getKey())
                        && !(e.getValue().isTextual() && e.getValue().textValue().startsWith("#"))) {
                    throw RequestFields.invalid(child, "only local references such as \"#/$defs/item\" are allowed");
                }
                checkReferences(e.getValue(), child);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkReferences(node.get(i), path + "[" + i + "]");
            }
        }
    }
}
