package io.hookline.common.security;

import java.util.Locale;

/** What an API key may do. */
public enum Scope {
    PUBLISH, MANAGE, REPLAY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope fromWire(String name) {
        for (Scope s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + name + "' (expected publish, manage or replay)");
    }
}
