package io.hookline.replayer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.http.ProblemException;
import io.hookline.common.json.Json;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.replayer.store.LetterFilter;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LetterQueryTest {
    private static final Principal ADMIN = Principal.administrator();
    private static final Principal ACME = new Principal("acme", Set.of(Scope.REPLAY), false, "key_1");

    private static LetterFilter body(Principal p, Map<String, Object> filter) {
        return LetterQuery.fromBody(Json.MAPPER.valueToTree(filter), p);
    }

    @Test
    void aTenantKeyIsConfinedToItsTenantAndTheAdminSeesAll() {
        assertThat(body(ACME, Map.of()).tenant()).isEqualTo("acme");
        assertThat(body(ADMIN, Map.of()).tenant()).isNull();
        assertThat(body(ADMIN, Map.of("tenant", "globex")).tenant()).isEqualTo("globex");
        assertThatThrownBy(() -> body(ACME, Map.of("tenant", "globex")))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(403));
    }

    @Test
    void readsEveryFilter() {
        LetterFilter f = body(ADMIN, Map.of("subscription", "sub_1", "topic", "orders.paid", "reason", "gone",
                "status", 410, "since", "2026-01-01T00:00:00Z", "until", "2026-01-02T00:00:00Z"));
        assertThat(f).isEqualTo(new LetterFilter(null, "sub_1", "orders.paid", "gone", 410, null,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"), null));
        assertThat(f.where()).contains("d.subscription_id = :f_subscription").contains("d.dead_at < :f_until")
                .doesNotContain("tenant");
    }

    @Test
    void badFiltersAre422NamingTheField() {
        Map<Map<String, Object>, String> bad = Map.of(
                Map.of("status", "500"), "filter.status",
                Map.of("status", 42), "filter.status",
                Map.of("reason", "sad"), "filter.reason",
                Map.of("since", "soon"), "filter.since",
                Map.of("since", "2026-01-02T00:00:00Z", "until", "2026-01-01T00:00:00Z"), "filter.until",
                Map.of("topic", "Not A Topic"), "filter.topic",
                Map.of("subscription", "a/b"), "filter.subscription",
                Map.of("what", 1), "filter.what");
        bad.forEach((filter, field) -> assertThatThrownBy(() -> body(ADMIN, filter))
                .as(filter.toString())
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(422);
                    assertThat(e.getMessage()).startsWith(field + ":");
                }));
    }
}
