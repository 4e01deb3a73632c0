package io.hookline.registrar.api;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.ProblemException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Optimistic concurrency on versioned resources: {@code If-Match: <version>} and the matching {@code ETag}. */
public final class IfMatch {
    private static final Pattern VERSION = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");

    private IfMatch() {
    }

    /** The version the client expects, or null when it sent no precondition (or {@code *}). */
    public static Long expectedVersion(HttpRequest request) {
        String header = request.header("if-match");
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        Matcher m = VERSION.matcher(header.trim());
        if (!m.matches()) {
            throw ProblemException.badRequest("If-Match: must be the resource's version as returned in 'version' "
                    + "or the ETag header, e.g. If-Match: \"3\"", "If-Match");
        }
        return Long.parseLong(m.group(1));
    }

    /** 412 when the client's expected version is not the current one. */
    public static void check(Long expected, long current, String what) {
        if (expected != null && expected != current) {
            throw ProblemException.preconditionFailed(what + " is at version " + current + ", not " + expected
                    + "; read it again and retry");
        }
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }
}
