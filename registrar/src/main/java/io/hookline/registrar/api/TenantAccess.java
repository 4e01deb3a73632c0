package io.hookline.registrar.api;

import io.hookline.common.http.RequestFields;
import io.hookline.common.http.ProblemException;
import io.hookline.common.security.Principal;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Tenant rules of the API: a tenant key acts only in its own tenant and sees another tenant's resources as
 * missing (404, so ids do not leak); the admin key acts on every tenant and creates in {@code default} unless the
 * body names a tenant.
 */
public final class TenantAccess {
    public static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private TenantAccess() {
    }

    /** The tenant a new resource belongs to; {@code requested} is the body's optional {@code tenant}. */
    public static String forCreate(Principal principal, String requested) {
        if (requested == null) {
            return principal.admin() ? Principal.DEFAULT_TENANT : principal.tenant();
        }
        checkName(requested, "tenant");
        if (!principal.admin() && !requested.equals(principal.tenant())) {
            throw ProblemException.forbidden("a tenant key can only act in its own tenant");
        }
        return requested;
    }

    /** The tenant a list is restricted to (null = all, admin only); {@code requested} is {@code ?tenant=}. */
    public static String forList(Principal principal, String requested) {
        if (requested != null && !requested.isEmpty()) {
            if (!TENANT.matcher(requested).matches()) {
                throw ProblemException.badRequest("tenant: must match " + TENANT.pattern(), "tenant");
            }
            if (!principal.admin() && !requested.equals(principal.tenant())) {
                throw ProblemException.forbidden("a tenant key can only act in its own tenant");
            }
            return requested;
        }
        return principal.admin() ? null : principal.tenant();
    }

    /** The resource if the caller may see it; otherwise the same 404 as for a resource that does not exist. */
    public static <T> T visible(Principal principal, Optional<T> resource, Function<T, String> tenantOf,
                                String notFound) {
        return resource.filter(r -> principal.canSee(tenantOf.apply(r)))
                .orElseThrow(() -> ProblemException.notFound(notFound));
    }

    static void checkName(String tenant, String field) {
        if (!TENANT.matcher(tenant).matches()) {
            throw RequestFields.invalid(field, "must be 1 to 63 lower-case letters, digits, '_' or '-', "
                    + "starting with a letter or digit");
        }
    }
}
