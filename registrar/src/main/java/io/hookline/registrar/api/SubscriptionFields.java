package io.hookline.registrar.api;

import io.hookline.common.http.HeaderSyntax;
import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validation of subscription bodies (create and PATCH). Every rule answers 422 naming the field. The URL's
 * destination (what its host resolves to) is checked separately by the route, against
 * {@code HOOKLINE_ALLOWED_NETWORKS}; here only its form.
 */
public final class SubscriptionFields {
    public static final Set<String> PATCHABLE = Set.of("url", "topics", "description", "headers", "rateLimitPerSecond",
            "maxInFlight", "timeoutMs", "retrySchedule", "maxAgeSeconds", "ordering", "metadata", "status");
    public static final Set<String> CREATE;

    static {
        Set<String> create = new LinkedHashSet<>(PATCHABLE);
        create.add("tenant");
        CREATE = Set.copyOf(create);
    }

    public static final int MAX_URL_LENGTH = 2048;
    public static final int MAX_TOPICS = 100;
    public static final int MAX_DESCRIPTION = 1024;
    public static final int MAX_HEADERS = 50;
    public static final int MAX_HEADER_VALUE = 4096;
    public static final int MAX_RETRIES = 50;
    public static final long MIN_RETRY_DELAY_MS = 100;
    public static final long MAX_RETRY_DELAY_MS = 24L * 3600 * 1000;
    public static final int MIN_TIMEOUT_MS = 100;
    public static final int MAX_TIMEOUT_MS = 120_000;
    public static final int MAX_IN_FLIGHT = 1000;
    public static final double MAX_RATE = 100_000;
    /** Events are retained 7 days on their topic; an older delivery cannot be attempted anyway. */
    public static final long MAX_AGE_SECONDS = 7L * 24 * 3600;
    public static final int MAX_METADATA_BYTES = 8 * 1024;

    private static final int MAX_HEADER_NAME = 256;
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-type", "content-length",
            "content-encoding", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
            "user-agent", "expect");
    private static final List<String> RESERVED_PREFIXES = List.of("webhook-", "hookline-", "proxy-");
    private static final Pattern DELAY = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private SubscriptionFields() {
    }

    /**
     * {@code base} with every member present in {@code body} applied. A JSON {@code null} resets an optional
     * member to its default; required ones ({@code url}, {@code topics}) cannot be null.
     */
    public static SubscriptionSettings apply(SubscriptionSettings base, RequestFields body) {
        String url = base.url();
        if (body.has("url")) {
            url = url(body.string("url", MAX_URL_LENGTH));
        }
        List<String> topics = base.topics();
        if (body.has("topics")) {
            topics = topics(body.strings("topics", 1, MAX_TOPICS, 300));
        }
        String description = body.has("description") ? body.string("description", MAX_DESCRIPTION)
                : base.description();
        Map<String, String> headers = base.headers();
        if (body.has("headers")) {
            Map<String, String> given = body.stringMap("headers");
            headers = given == null ? Map.of() : headers(given);
        }
        Double rate = body.has("rateLimitPerSecond") ? body.number("rateLimitPerSecond", 0.001, MAX_RATE)
                : base.rateLimitPerSecond();
        Integer maxInFlight = body.has("maxInFlight") ? body.integer("maxInFlight", 1, MAX_IN_FLIGHT)
                : base.maxInFlight();
        Integer timeoutMs = body.has("timeoutMs") ? body.integer("timeoutMs", MIN_TIMEOUT_MS, MAX_TIMEOUT_MS)
                : base.timeoutMs();
        List<String> retrySchedule = base.retrySchedule();
        if (body.has("retrySchedule")) {
            List<String> given = body.strings("retrySchedule", 0, MAX_RETRIES, 20);
            retrySchedule = given == null ? null : retrySchedule(given);
        }
        Long maxAge = body.has("maxAgeSeconds") ? body.longInteger("maxAgeSeconds", 1, MAX_AGE_SECONDS)
                : base.maxAgeSeconds();
        String ordering = base.ordering();
        if (body.has("ordering")) {
            ordering = oneOf(body.string("ordering", 20), "ordering", SubscriptionSettings.UNORDERED,
                    SubscriptionSettings.ORDERED, SubscriptionSettings.UNORDERED);
        }
        JsonNode metadata = base.metadata();
        if (body.has("metadata")) {
            metadata = metadata(body.object("metadata"));
        }
        String status = base.status();
        if (body.has("status")) {
            status = oneOf(body.string("status", 20), "status", SubscriptionRecord.ACTIVE, SubscriptionRecord.DISABLED,
                    null);
        }
        if (url == null) {
            throw RequestFields.invalid("url", body.has("url") ? "must not be null" : "is required");
        }
        if (topics == null) {
            throw RequestFields.invalid("topics", body.has("topics") ? "must not be null" : "is required");
        }
        return new SubscriptionSettings(url, topics, description, headers, rate, maxInFlight, timeoutMs,
                retrySchedule, maxAge, ordering, metadata, status);
    }

    /** The URL's form: absolute http(s) with a host, no credentials, no fragment. */
    static String url(String url) {
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw RequestFields.invalid("url", "is not a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw RequestFields.invalid("url", "must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw RequestFields.invalid("url", "must name a valid host");
        }
        if (uri.getRawUserInfo() != null) {
            throw RequestFields.invalid("url", "must not contain credentials; send them in custom headers");
        }
        if (uri.getRawFragment() != null) {
            throw RequestFields.invalid("url", "must not contain a fragment (#...)");
        }
        return url;
    }

    /** Validated patterns, duplicates dropped, order kept. */
    static List<String> topics(List<String> given) {
        if (given == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            try {
                out.add(TopicPattern.parse(given.get(i)).text());
            } catch (IllegalArgumentException e) {
                throw RequestFields.invalid("topics[" + i + "]", e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    static Map<String, String> headers(Map<String, String> given) {
        if (given.size() > MAX_HEADERS) {
            throw RequestFields.invalid("headers", "must have at most " + MAX_HEADERS + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String name = e.getKey();
            String field = "headers." + name;
            if (name.length() > MAX_HEADER_NAME || !HeaderSyntax.isName(name)) {
                throw RequestFields.invalid(field, "is not a valid HTTP header name");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower) || RESERVED_PREFIXES.stream().anyMatch(lower::startsWith)) {
                throw RequestFields.invalid(field, "is set by Hookline and cannot be overridden");
            }
            if (!seen.add(lower)) {
                throw RequestFields.invalid(field, "is given twice (header names are case-insensitive)");
            }
            String value = e.getValue();
            if (value.length() > MAX_HEADER_VALUE) {
                throw RequestFields.invalid(field, "must be at most " + MAX_HEADER_VALUE + " characters");
            }
            if (!HeaderSyntax.isValue(value)) {
                throw RequestFields.invalid(field, "must contain only visible ASCII/Latin-1 characters, "
                        + "spaces and tabs");
            }
            out.put(name, value);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Delays between attempts: {@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h}; 100 ms to 24 h each. */
    static List<String> retrySchedule(List<String> given) {
        List<String> out = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            String field = "retrySchedule[" + i + "]";
            Matcher m = DELAY.matcher(given.get(i));
            if (!m.matches()) {
                throw RequestFields.invalid(field, "must be a delay such as 500ms, 5s, 10m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            long ms = switch (m.group(2)) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> n * 3_600_000;
            };
            if (ms < MIN_RETRY_DELAY_MS || ms > MAX_RETRY_DELAY_MS) {
                throw RequestFields.invalid(field, "must be between 100ms and 24h");
            }
            out.add(given.get(i));
        }
        return List.copyOf(out);
    }

    static JsonNode metadata(JsonNode metadata) {
        if (metadata != null && Json.write(metadata).length > MAX_METADATA_BYTES) {
            throw RequestFields.invalid("metadata", "must be at most " + MAX_METADATA_BYTES + " bytes of JSON");
        }
        return metadata;
    }

    private static String oneOf(String value, String field, String a, String b, String whenNull) {
        if (value == null) {
            if (whenNull == null) {
                throw RequestFields.invalid(field, "must be '" + a + "' or '" + b + "'");
            }
            return whenNull;
        }
        if (!value.equals(a) && !value.equals(b)) {
            throw RequestFields.invalid(field, "must be '" + a + "' or '" + b + "'");
        }
        return value;
    }
}
