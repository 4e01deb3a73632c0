package io.hookline.client;

/** Checks keys that travel as HTTP header values, so a bad one fails here with a clear message. */
final class HeaderValues {
    private HeaderValues() {
    }

    /** Null is allowed (absent); otherwise 1+ printable ASCII characters without leading/trailing spaces. */
    static void check(String value, String name) {
        if (value == null) {
            return;
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty (use null for none)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(
                        name + " must be printable ASCII (it travels as an HTTP header); bad character at index " + i);
            }
        }
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            throw new IllegalArgumentException(name + " must not start or end with a space");
        }
    }
}
