package io.hookline.testkit;

import java.util.Locale;

/**
 * Which servers the test kit starts, from the system property {@code hookline.testkit.backend} or the environment
 * variable {@code HOOKLINE_TESTKIT_BACKEND}: {@code auto} (default: Testcontainers where a Docker engine answers,
 * else embedded), {@code embedded} or {@code testcontainers} (no fallback: for CI that must test the images).
 */
enum BackendChoice {
    AUTO, EMBEDDED, TESTCONTAINERS;

    static final String PROPERTY = "hookline.testkit.backend";

    static BackendChoice configured() {
        String value = System.getProperty(PROPERTY, System.getenv("HOOKLINE_TESTKIT_BACKEND"));
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be auto, embedded or testcontainers, not " + value, e);
        }
    }
}
