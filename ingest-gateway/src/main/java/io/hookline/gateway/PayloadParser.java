package io.hookline.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
 * Parses untrusted request bodies into JSON trees, or only checks them when no tree is needed. Numbers keep their exact value (decimals as {@code BigDecimal}),
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
        requireNonEmptyUtf8(body);
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (IOException e) {
            throw malformed(e);
        } catch (NumberFormatException e) {
            throw unrepresentable(e);
        }
        if (node == null || node.isMissingNode()) {
            throw empty();
        }
        return node;
    }

    /**
     * Accepts exactly the bodies {@link #parse} accepts, with the same answers for the others, without building the
     * tree: a single publish to a topic without a schema stores the body as it came and needs no tree, and building
     * one was the largest part of its CPU. Every token is read (skipping a string checks its escapes), and decimals are
     * converted as the tree would convert them, so nothing passes here that a reader of the event could not parse.
     */
    static void check(byte[] body) {
        requireNonEmptyUtf8(body);
        try (JsonParser parser = READER.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw empty();
            }
            int depth = 0;
            JsonToken token = first;
            do {
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    // A decimal can be valid JSON and still overflow BigDecimal's exponent; an integer's length is
                    // checked while reading it, and any length allowed fits a BigInteger.
                    case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
                    default -> {
                        // Strings are not decoded: skipping one still checks its escapes and control characters.
                        // Field names are decoded by nextToken; true, false and null have no content.
                    }
                }
            } while (depth > 0 && (token = parser.nextToken()) != null);
            if (depth > 0) {
                parser.nextToken(); // at the end of input inside a value: Jackson names the unexpected end
            }
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw ProblemException.malformedJson("the body is not valid JSON: Trailing token (of type " + trailing
                        + ") found after value" + at(parser.currentLocation()));
            }
        } catch (IOException e) {
            throw malformed(e);
        } catch (NumberFormatException e) {
            throw unrepresentable(e);
        }
    }

    /** A number JSON allows but no reader could hold (an exponent beyond an int): refused, not a 500. */
    private static ProblemException unrepresentable(NumberFormatException e) {
        return ProblemException.malformedJson("the body holds a number that cannot be represented: " + e.getMessage());
    }

    private static void requireNonEmptyUtf8(byte[] body) {
        if (body.length == 0) {
            throw empty();
        }
        requireUtf8(body);
    }

    private static ProblemException empty() {
        return ProblemException.badRequest("the request body is empty; a JSON document is required", null);
    }

    private static ProblemException malformed(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return ProblemException.malformedJson("the body is not valid JSON: " + j.getOriginalMessage()
                    + at(j.getLocation()));
        }
        return ProblemException.malformedJson("the body is not valid JSON: " + e.getMessage());
    }

    private static String at(com.fasterxml.jackson.core.JsonLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
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
