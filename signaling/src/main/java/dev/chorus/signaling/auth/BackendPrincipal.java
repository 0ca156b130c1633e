package dev.chorus.signaling.auth;

import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.KeyAlgorithm;

import java.util.EnumSet;
import java.util.Set;

/**
 * An authenticated app backend: the project it acts for, the key that proved it and the API scopes that key holds.
 * Every service call is scoped to {@code projectId}; every API route checks {@code apiScopes} first.
 *
 * @param method how it authenticated (Basic API key or Bearer backend JWT)
 */
public record BackendPrincipal(String projectId, String kid, KeyAlgorithm keyAlgorithm, Method method,
                               Set<ApiScope> apiScopes) {
    public enum Method { API_KEY, BACKEND_JWT }

    public BackendPrincipal {
        apiScopes = apiScopes == null || apiScopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(apiScopes));
    }

    /** A principal without API scopes (deny by default); services called directly do not look at scopes. */
    public BackendPrincipal(String projectId, String kid, KeyAlgorithm keyAlgorithm, Method method) {
        this(projectId, kid, keyAlgorithm, method, Set.of());
    }

    public boolean holds(ApiScope scope) {
        return apiScopes.contains(scope);
    }
}
