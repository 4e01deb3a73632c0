package io.hookline.common.security;

import java.util.Set;

/** Who is calling: the admin (acts on every tenant) or a tenant key with scopes. */
public record Principal(String tenant, Set<Scope> scopes, boolean admin, String keyId) {
    public static final String DEFAULT_TENANT = "default";

    public static Principal administrator() {
        return new Principal(DEFAULT_TENANT, Set.of(Scope.values()), true, "admin");
    }

    public boolean has(Scope scope) {
        return admin || scopes.contains(scope);
    }

    /** Whether this caller may see a resource of {@code ownerTenant}; others get 404, not 403, so ids do not leak. */
    public boolean canSee(String ownerTenant) {
        return admin || tenant.equals(ownerTenant);
    }
}
