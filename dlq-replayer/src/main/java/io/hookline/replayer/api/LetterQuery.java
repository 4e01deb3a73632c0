package io.hookline.replayer.api;

import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.ProblemException;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.security.Principal;
import io.hookline.replayer.store.LetterFilter;
import io.hookline.replayer.store.StoredLetter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a dead-letter filter, from the list's query string ({@code 400} naming the parameter) or from a replay
 * job's {@code filter} object ({@code 422} naming {@code filter.<field>}), and applies the tenant rules: a tenant
 * key sees its own tenant only; the admin key sees every tenant unless it names one.
 */
public final class LetterQuery {
    public static final Set<String> FIELDS =
            Set.of("tenant", "subscription", "topic", "reason", "status", "since", "until");
    private static final Set<String> REASONS =
            Set.of(DeadLetter.EXHAUSTED, DeadLetter.MAX_AGE, DeadLetter.GONE, DeadLetter.PERMANENT);
    private static final Set<String> STATES =
            Set.of(StoredLetter.DEAD, StoredLetter.REPLAYING, StoredLetter.REPLAYED, StoredLetter.DISCARDED);
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");

    private LetterQuery() {
    }

    /** The list filter of {@code GET /v1/dead-letters} (also {@code state}). */
    public static LetterFilter fromQuery(HttpRequest request, Principal principal) {
        LetterFilter f = parse(request::query, principal, "", ProblemException::badRequest);
        String state = request.query("state");
        if (state != null && !state.isEmpty()) {
            if (!STATES.contains(state)) {
                throw ProblemException.badRequest("state: must be one of dead, replaying, replayed, discarded", "state");
            }
            f = f.withState(state);
        }
        return f;
    }

    /** The filter of a replay job's body; unknown fields and wrong types are 422 naming {@code filter.x}. */
    public static LetterFilter fromBody(JsonNode filter, Principal principal) {
        Map<String, String> values = new HashMap<>();
        if (filter != null) {
            for (Map.Entry<String, JsonNode> e : filter.properties()) {
                String name = e.getKey();
                JsonNode v = e.getValue();
                if (!FIELDS.contains(name)) {
                    throw RequestFields.invalid("filter." + name, "is not a known filter (expected one of "
                            + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
                }
                if (v.isNull()) {
                    continue;
                }
                if (name.equals("status") ? !v.isIntegralNumber() : !v.isTextual()) {
                    throw RequestFields.invalid("filter." + name, name.equals("status") ? "must be an integer"
                            : "must be a string");
                }
                values.put(name, v.asText());
            }
        }
        return parse(values::get, principal, "filter.", ProblemException::unprocessable);
    }

    private static LetterFilter parse(Function<String, String> get, Principal principal, String prefix,
                                      BiFunction<String, String, ProblemException> problem) {
        String tenant = text(get, "tenant");
        if (tenant != null) {
            if (!TENANT.matcher(tenant).matches()) {
                throw bad(problem, prefix + "tenant", "must match " + TENANT.pattern());
            }
            if (!principal.admin() && !tenant.equals(principal.tenant())) {
                throw ProblemException.forbidden("a tenant key can only act in its own tenant");
            }
        } else if (!principal.admin()) {
            tenant = principal.tenant();
        }
        String subscription = text(get, "subscription");
        if (subscription != null && !ID.matcher(subscription).matches()) {
            throw bad(problem, prefix + "subscription", "is not a subscription id");
        }
        String topic = text(get, "topic");
        if (topic != null && !TopicNames.TOPIC_NAME.matcher(topic).matches()) {
            throw bad(problem, prefix + "topic", "must match " + TopicNames.TOPIC_NAME.pattern());
        }
        String reason = text(get, "reason");
        if (reason != null && !REASONS.contains(reason)) {
            throw bad(problem, prefix + "reason", "must be one of exhausted, max_age, gone, permanent");
        }
        Integer status = null;
        String statusText = text(get, "status");
        if (statusText != null) {
            try {
                status = Integer.parseInt(statusText);
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 100 || status > 599) {
                throw bad(problem, prefix + "status", "must be an HTTP status code between 100 and 599");
            }
        }
        Instant since = instant(get, "since", prefix, problem);
        Instant until = instant(get, "until", prefix, problem);
        if (since != null && until != null && !since.isBefore(until)) {
            throw bad(problem, prefix + "until", "must be after since");
        }
        return new LetterFilter(tenant, subscription, topic, reason, status, null, since, until, null);
    }

    private static String text(Function<String, String> get, String name) {
        String v = get.apply(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static Instant instant(Function<String, String> get, String name, String prefix,
                                   BiFunction<String, String, ProblemException> problem) {
        String v = text(get, name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw bad(problem, prefix + name, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static ProblemException bad(BiFunction<String, String, ProblemException> problem, String field,
                                        String detail) {
        return problem.apply(field + ": " + detail, field);
    }

    /** Whether {@code id} can be a dead-letter or job id at all (others answer 404 without a query). */
    static boolean plausibleId(String id) {
        return ID.matcher(id).matches();
    }
}
