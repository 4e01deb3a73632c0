package io.hookline.registrar.api;

import io.hookline.common.http.ListCursor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.SubscriptionRecord.SigningSecret;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiHelpersTest {
    private static final Principal TENANT_A = new Principal("a", Set.of(Scope.MANAGE), false, "key_a");

    private static HttpRequest request(Map<String, String> headers, Map<String, List<String>> query) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        headers.forEach(h::set);
        return new HttpRequest("GET", "/x", Map.of(), query, h, new byte[0]);
    }

    @Test
    void cursorRoundTripsAndRejectsForgeries() {
        String cursor = ListCursor.encode("sub_01ABC");
        assertThat(ListCursor.decode(cursor)).isEqualTo("sub_01ABC");
        assertThat(ListCursor.decode(null)).isNull();
        for (String bad : List.of("%%%", "c3ViXzAx", "Yzox" /* "c1:" with an empty key */, "!!")) {
            assertThatThrownBy(() -> ListCursor.decode(bad))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.problem().status()).isEqualTo(400);
                        assertThat(e.problem().field()).isEqualTo("cursor");
                    });
        }
    }

    @Test
    void limitIsBounded() {
        assertThat(ListCursor.limit(null)).isEqualTo(ListCursor.DEFAULT_LIMIT);
        assertThat(ListCursor.limit("1")).isEqualTo(1);
        for (String bad : List.of("0", "-1", "201", "ten", "1.5")) {
            assertThatThrownBy(() -> ListCursor.limit(bad))
                    .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().field()).isEqualTo("limit"));
        }
    }

    @Test
    void pageHasNextCursorOnlyWhenMoreRowsExist() {
        Map<String, Object> full = ListCursor.page(List.of("a", "b", "c"), 2, s -> s, s -> s);
        assertThat(full.get("data")).isEqualTo(List.of("a", "b"));
        assertThat(ListCursor.decode((String) full.get("nextCursor"))).isEqualTo("b");
        Map<String, Object> last = ListCursor.page(List.of("a"), 2, s -> s, s -> s);
        assertThat(last).containsEntry("nextCursor", null);
    }

    @Test
    void ifMatchAcceptsQuotedWeakAndBareVersions() {
        assertThat(IfMatch.expectedVersion(request(Map.of(), Map.of()))).isNull();
        assertThat(IfMatch.expectedVersion(request(Map.of("if-match", "*"), Map.of()))).isNull();
        assertThat(IfMatch.expectedVersion(request(Map.of("if-match", "\"3\""), Map.of()))).isEqualTo(3L);
        assertThat(IfMatch.expectedVersion(request(Map.of("if-match", "W/\"4\""), Map.of()))).isEqualTo(4L);
        assertThat(IfMatch.expectedVersion(request(Map.of("if-match", "5"), Map.of()))).isEqualTo(5L);
        assertThatThrownBy(() -> IfMatch.expectedVersion(request(Map.of("if-match", "abc"), Map.of())))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(400));
        assertThatThrownBy(() -> IfMatch.check(2L, 3, "subscription s"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(412));
        IfMatch.check(null, 3, "s");
        IfMatch.check(3L, 3, "s");
    }

    @Test
    void tenantKeysActOnlyInTheirTenant() {
        assertThat(TenantAccess.forCreate(Principal.administrator(), null)).isEqualTo("default");
        assertThat(TenantAccess.forCreate(Principal.administrator(), "acme")).isEqualTo("acme");
        assertThat(TenantAccess.forCreate(TENANT_A, null)).isEqualTo("a");
        assertThat(TenantAccess.forCreate(TENANT_A, "a")).isEqualTo("a");
        assertThatThrownBy(() -> TenantAccess.forCreate(TENANT_A, "b"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(403));
        assertThatThrownBy(() -> TenantAccess.forCreate(Principal.administrator(), "Bad Tenant"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().field()).isEqualTo("tenant"));
        assertThat(TenantAccess.forList(Principal.administrator(), null)).isNull();
        assertThat(TenantAccess.forList(TENANT_A, null)).isEqualTo("a");
        assertThatThrownBy(() -> TenantAccess.visible(TENANT_A, Optional.of("b"), t -> t, "missing"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(404));
        assertThat(TenantAccess.visible(TENANT_A, Optional.of("a"), t -> t, "missing")).isEqualTo("a");
    }

    @Test
    void rotationKeepsThePreviousSecretForTheGracePeriod() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        List<SigningSecret> rotated = SubscriptionRoutes.rotatedSecrets(List.of(new SigningSecret("old", null)), "new",
                now, 3600);
        assertThat(rotated).containsExactly(new SigningSecret("new", null),
                new SigningSecret("old", now.plusSeconds(3600)));

        List<SigningSecret> immediate = SubscriptionRoutes.rotatedSecrets(rotated, "newer", now, 0);
        assertThat(immediate).containsExactly(new SigningSecret("newer", null),
                new SigningSecret("old", now.plusSeconds(3600)));

        List<SigningSecret> expired = SubscriptionRoutes.rotatedSecrets(rotated, "newest", now.plusSeconds(7200), 60);
        assertThat(expired).containsExactly(new SigningSecret("newest", null),
                new SigningSecret("new", now.plusSeconds(7260)));
    }

    @Test
    void rotationKeepsAtMostFiveSecrets() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        List<SigningSecret> secrets = List.of(new SigningSecret("s0", null));
        for (int i = 1; i <= 8; i++) {
            secrets = SubscriptionRoutes.rotatedSecrets(secrets, "s" + i, now.plusSeconds(i), 3600);
        }
        assertThat(secrets).hasSize(SubscriptionRoutes.MAX_SECRETS);
        assertThat(secrets.get(0)).isEqualTo(new SigningSecret("s8", null));
        assertThat(secrets.stream().map(SigningSecret::encrypted)).containsExactly("s8", "s7", "s6", "s5", "s4");
    }
}
