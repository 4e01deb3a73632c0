package io.hookline.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.hookline.common.http.ProblemException;
import io.hookline.common.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses untrusted request bodies into JSON trees. Numbers keep their exact value (decimals as {@code BigDecimal}),
 * so nothing a producer sends is rounded before it is validated or re-encoded; the body must be UTF-8 (RFC 8259),
 * since a single-event body is stored byte for byte as the event's payload.
 */
final class PayloadParser {
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    private PayloadParser() {
    }

    /**
     * The body as one JSON value.
     *
     * @throws ProblemException 400 when the body is empty, not UTF-8 or not exactly one well-formed JSON value
     *                          (the detail names the line and column)
     */
    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ProblemException.badRequest("the request body is empty; a JSON document is required", null);
        }
        requireUtf8(body);
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.malformedJson("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw ProblemException.malformedJson("the body is not valid JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ProblemException.badRequest("the request body is empty; a JSON document is required", null);
        }
        return node;
    }

    /**
     * Refuses byte-order marks and any byte sequence that is not UTF-8 (Jackson would otherwise guess UTF-16/32 from
     * zero bytes, or pass some malformed sequences inside strings through untouched).
     */
    private static void requireUtf8(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
            throw ProblemException.malformedJson("the body must be UTF-8 JSON without a byte-order mark");
        }
        boolean ascii = true;
        for (byte b : body) {
            if (b <= 0) { // negative: a non-ASCII byte; zero: a NUL, never valid in JSON text
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw ProblemException.malformedJson("the body is not valid UTF-8; JSON must be UTF-8 encoded");
        }
        for (byte b : body) {
            if (b == 0) {
                throw ProblemException.malformedJson("the body contains a NUL byte; JSON text cannot");
            }
        }
    }
}
