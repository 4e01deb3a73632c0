package io.hookline.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value kept as the UTF-8 bytes it was read as, already validated by the parser that found it. The delivery
 * path reads an event's payload this way and copies it into the webhook body, instead of building a tree and
 * writing it out again for every request. Serialising it (a task going to a retry topic) writes the bytes as they
 * are. It is not a tree: code that needs to look inside the value parses {@link #bytes()}.
 */
public final class RawJson extends ValueNode {
    private static final long serialVersionUID = 1L;

    private final byte[] utf8;

    /** @param utf8 one complete, valid JSON value; not copied, so not to be modified afterwards */
    public RawJson(byte[] utf8) {
        this.utf8 = utf8;
    }

    /** The value's bytes; callers must not modify them. */
    public byte[] bytes() {
        return utf8;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeRawValue(asText());
    }

    @Override
    public JsonToken asToken() {
        return JsonToken.VALUE_EMBEDDED_OBJECT;
    }

    @Override
    public JsonNodeType getNodeType() {
        return JsonNodeType.POJO;
    }

    @Override
    public String asText() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return asText();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawJson raw && Arrays.equals(utf8, raw.utf8);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8);
    }
}
