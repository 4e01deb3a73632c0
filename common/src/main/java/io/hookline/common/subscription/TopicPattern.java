package io.hookline.common.subscription;

import io.hookline.common.kafka.TopicNames;

/**
 * A subscription's topic filter: an exact topic name ({@code invoices.paid}), a prefix wildcard whose last
 * segment is {@code *} ({@code orders.*} matches {@code orders.created} and {@code orders.eu.created}, not
 * {@code orders}), or {@code *} for every topic of the tenant.
 */
public record TopicPattern(String text) {

    public static final String ALL = "*";

    /** Validates and returns the pattern; the message completes "topics[i] ...". */
    public static TopicPattern parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("must be a topic name or a pattern such as orders.*");
        }
        if (text.equals(ALL)) {
            return new TopicPattern(text);
        }
        String name = text.endsWith(".*") ? text.substring(0, text.length() - 2) : text;
        if (!TopicNames.TOPIC_NAME.matcher(name).matches() || name.contains("*")) {
            throw new IllegalArgumentException("must be a topic name or a pattern such as orders.* "
                    + "(lower-case letters, digits, '.', '_', '-'; '*' only as the whole last segment)");
        }
        return new TopicPattern(text);
    }

    public boolean isWildcard() {
        return text.endsWith("*");
    }

    /** For {@code orders.*} the prefix {@code orders.}; for {@code *} the empty prefix; null for exact names. */
    public String prefix() {
        return isWildcard() ? text.substring(0, text.length() - 1) : null;
    }

    public boolean matches(String topic) {
        if (!isWildcard()) {
            return text.equals(topic);
        }
        // Compares in place: this runs for every candidate of every fanned-out event, prefix() would allocate.
        int prefixLength = text.length() - 1;
        return topic.length() > prefixLength && topic.regionMatches(0, text, 0, prefixLength);
    }
}
