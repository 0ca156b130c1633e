package dev.chorus.signaling.auth;

import dev.chorus.signaling.project.KeyAlgorithm;

/**
 * An authenticated app backend: the project it acts for and the key that proved it. Every service call is scoped to
 * {@code projectId}.
 *
 * @param method how it authenticated (Basic API key or Bearer backend JWT)
 */
public record BackendPrincipal(String projectId, String kid, KeyAlgorithm keyAlgorithm, Method method) {
    public enum Method { API_KEY, BACKEND_JWT }
}
