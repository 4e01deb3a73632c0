package io.hookline.common.http;

/**
 * What may stand in an HTTP header (RFC 9110): the registrar accepts custom webhook headers by it, and the dispatcher
 * checks them again, since a subscription record may reach the topic another way; one definition for both.
 */
public final class HeaderSyntax {
    private HeaderSyntax() {
    }

    /** A token: the characters a header name may have; not empty. */
    public static boolean isName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Visible Latin-1, spaces and tabs: no control characters, so no header line can be injected. */
    public static boolean isValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
