package io.hookline.common.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request body read strictly: it must be a JSON object, every member must be a known field, and each typed
 * accessor turns a wrong type or an out-of-range value into a 422 problem naming the field (e.g.
 * {@code topics[2]}). Absent and {@code null} members read as null; {@link #has} tells them apart from a value
 * for PATCH, where {@code null} clears an optional field.
 */
public final class RequestFields {
    private final JsonNode node;

    private RequestFields(JsonNode node) {
        this.node = node;
    }

    public static RequestFields of(JsonNode body, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw ProblemException.unprocessable("the request body must be a JSON object", null);
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw invalid(name, "is not a known field (expected one of " + String.join(", ", new TreeSet<>(known))
                        + ")");
            }
        }
        rejectUnstorable(body, "");
        return new RequestFields(body);
    }

    /** For endpoints whose body is optional: an empty body reads as {@code {}}. */
    public static RequestFields ofOptional(HttpRequest request, Set<String> known) {
        if (request.body().length == 0) {
            return new RequestFields(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }
        return of(request.jsonBody(), known);
    }

    /** Whether the member is present, even as {@code null}. */
    public boolean has(String name) {
        return node.has(name);
    }

    public String string(String name, int maxLength) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(name, "must be a string");
        }
        return checkLength(name, value.textValue(), maxLength);
    }

    public Integer integer(String name, int min, int max) {
        Long value = longInteger(name, min, max);
        return value == null ? null : value.intValue();
    }

    public Long longInteger(String name, long min, long max) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(name, "must be an integer between " + min + " and " + max);
        }
        long v = value.longValue();
        if (v < min || v > max) {
            throw invalid(name, "must be an integer between " + min + " and " + max);
        }
        return v;
    }

    public Double number(String name, double min, double max) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw invalid(name, "must be a number between " + plain(min) + " and " + plain(max));
        }
        double v = value.doubleValue();
        if (v < min || v > max) {
            throw invalid(name, "must be a number between " + plain(min) + " and " + plain(max));
        }
        return v;
    }

    /** An array of strings; item problems name the item ({@code topics[1]}). */
    public List<String> strings(String name, int minItems, int maxItems, int maxLength) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            throw invalid(name, "must be an array of strings");
        }
        if (value.size() < minItems || value.size() > maxItems) {
            throw invalid(name, minItems == maxItems ? "must have " + minItems + " items"
                    : "must have " + minItems + " to " + maxItems + " items");
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String field = name + "[" + i + "]";
            if (!item.isTextual()) {
                throw invalid(field, "must be a string");
            }
            out.add(checkLength(field, item.textValue(), maxLength));
        }
        return out;
    }

    /** A JSON object (returned as is). */
    public JsonNode object(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid(name, "must be a JSON object");
        }
        return value;
    }

    /** Any JSON value (null when absent or JSON null). */
    public JsonNode json(String name) {
        return value(name);
    }

    /** An object whose values are all strings, in document order. */
    public Map<String, String> stringMap(String name) {
        JsonNode value = object(name);
        if (value == null) {
            return null;
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid(name + "." + e.getKey(), "must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** The member, or null when absent or JSON {@code null}. */
    private JsonNode value(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static String checkLength(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw invalid(field, "must be at most " + maxLength + " characters");
        }
        return value;
    }

    /** A 422 problem whose detail starts with the field. */
    public static ProblemException invalid(String field, String problem) {
        return ProblemException.unprocessable(field + ": " + problem, field);
    }

    /**
     * PostgreSQL cannot store U+0000 in text or jsonb, and JSON cannot carry non-finite numbers: such input is
     * refused up front, naming where it is, instead of failing in the database.
     */
    private static void rejectUnstorable(JsonNode node, String path) {
        if (node.isTextual()) {
            if (node.textValue().indexOf('\u0000') >= 0) {
                throw invalid(path, "must not contain the character U+0000");
            }
        } else if (node.isNumber()) {
            if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
                throw invalid(path, "is a number out of range");
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                rejectUnstorable(node.get(i), path + "[" + i + "]");
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getKey().indexOf('\u0000') >= 0) {
                    throw invalid(path.isEmpty() ? "body" : path, "has a member name containing U+0000");
                }
                rejectUnstorable(e.getValue(), child);
            }
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
