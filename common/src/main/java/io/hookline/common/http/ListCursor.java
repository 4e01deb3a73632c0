package io.hookline.common.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keyset pagination: {@code ?limit=&cursor=} where the cursor is an opaque token holding the last key of the
 * previous page, so pages stay stable while rows are added or removed.
 */
public final class ListCursor {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    private static final String MARK = "c1:";

    /** The page requested: how many rows and the key to continue after (null = from the start). */
    public record PageRequest(int limit, String after) {
    }

    private ListCursor() {
    }

    public static PageRequest read(HttpRequest request) {
        return new PageRequest(limit(request.query("limit")), decode(request.query("cursor")));
    }

    public static int limit(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest("limit: must be an integer between 1 and " + MAX_LIMIT, "limit");
    }

    public static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((MARK + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    public static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
        if (!text.startsWith(MARK) || text.length() == MARK.length() || text.length() > 300
                || text.indexOf('\u0000') >= 0) {
            throw badCursor();
        }
        return text.substring(MARK.length());
    }

    private static ProblemException badCursor() {
        return ProblemException.badRequest("cursor: is not a cursor returned by this API (pass nextCursor as is)",
                "cursor");
    }

    /**
     * The list body {@code {"data": [...], "nextCursor": ...}}. {@code rows} holds up to limit + 1 rows; the
     * extra row only signals that another page exists.
     */
    public static <T> Map<String, Object> page(List<T> rows, int limit, Function<T, String> key,
                                               Function<T, Object> view) {
        boolean more = rows.size() > limit;
        List<T> shown = more ? rows.subList(0, limit) : rows;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", shown.stream().map(view).toList());
        body.put("nextCursor", more ? encode(key.apply(shown.get(shown.size() - 1))) : null);
        return body;
    }
}
