package io.hookline.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.DisallowSchemaLoader;
import io.hookline.common.subscription.TopicRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled JSON Schemas of the topics that have one, compiled on first use and recompiled when the topic's
 * schema changes. Schemas may only refer to themselves: loading a {@code $ref} from a URL or the classpath is
 * refused, so a tenant's schema can neither make the gateway fetch from the network nor read its files.
 */
final class TopicSchemas {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSchemas.class);

    /** At most this many violations are reported in one problem document. */
    static final int MAX_REPORTED = 10;

    /** One failing location: a JSON Pointer into the payload ({@code ""} is the payload itself) and the reason. */
    record Violation(String path, String message) {
    }

    /** The outcome of compiling a topic's schema: a schema, or why it cannot be used. */
    private record Compiled(JsonNode source, JsonSchema schema, String error) {
    }

    private final Map<SpecVersion.VersionFlag, JsonSchemaFactory> factories = new EnumMap<>(SpecVersion.VersionFlag.class);
    private final Map<String, Compiled> byTopic = new ConcurrentHashMap<>();
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .build();

    /**
     * The violations of {@code payload} against the topic's schema; empty when it conforms or the topic has none.
     *
     * @throws SchemaUnusableException when the topic's schema cannot be compiled
     */
    List<Violation> validate(TopicRecord topic, JsonNode payload) {
        if (!hasSchema(topic)) {
            return List.of();
        }
        Compiled compiled = byTopic.get(topic.name());
        if (compiled == null || compiled.source() != topic.schema()) {
            compiled = compile(topic);
            byTopic.put(topic.name(), compiled);
        }
        if (compiled.schema() == null) {
            throw new SchemaUnusableException(compiled.error());
        }
        List<ValidationMessage> messages = new ArrayList<>(compiled.schema().validate(payload));
        if (messages.isEmpty()) {
            return List.of();
        }
        messages.sort(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString())
                .thenComparing(ValidationMessage::getMessage));
        List<Violation> out = new ArrayList<>();
        for (ValidationMessage m : messages) {
            if (out.size() == MAX_REPORTED) {
                break;
            }
            String path = m.getInstanceLocation().toString();
            // The validator prefixes its messages with the path; the path travels in its own field.
            String message = m.getMessage();
            if (message.startsWith(path + ": ")) {
                message = message.substring(path.length() + 2);
            }
            out.add(new Violation(path, message));
        }
        return out;
    }

    /** Whether payloads of the topic are validated at all (a topic without a schema takes any JSON value). */
    boolean hasSchema(TopicRecord topic) {
        return topic.schema() != null && !topic.schema().isNull();
    }

    /** Drops the compiled schema of a topic that changed or was deleted. */
    void forget(String topic) {
        byTopic.remove(topic);
    }

    private Compiled compile(TopicRecord topic) {
        JsonNode source = topic.schema();
        try {
            if (!source.isObject() && !source.isBoolean()) {
                return new Compiled(source, null, "the schema is not a JSON object");
            }
            SpecVersion.VersionFlag version = source.isObject()
                    ? SpecVersionDetector.detectOptionalVersion(source, false).orElse(SpecVersion.VersionFlag.V202012)
                    : SpecVersion.VersionFlag.V202012;
            JsonSchema schema = factory(version).getSchema(source, config);
            // Resolve every $ref now, so a broken reference is reported here rather than on some later payload.
            schema.initializeValidators();
            return new Compiled(source, schema, null);
        } catch (RuntimeException e) {
            LOG.warn("topic {} has a JSON Schema the gateway cannot use: {}", topic.name(), e.getMessage());
            return new Compiled(source, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private synchronized JsonSchemaFactory factory(SpecVersion.VersionFlag version) {
        return factories.computeIfAbsent(version, v -> JsonSchemaFactory.getInstance(v, builder -> builder
                .schemaLoaders(loaders -> loaders.add(DisallowSchemaLoader.getInstance()))));
    }

    /** The topic's schema cannot be compiled (a registration problem, not the payload's fault). */
    static final class SchemaUnusableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SchemaUnusableException(String message) {
            super(message, null, false, false);
        }
    }
}
