package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One project key as stored. {@code material} is the HS256 secret (UTF-8 bytes of the secret string handed to the
 * backend) or, for ES256/EdDSA, the public key as X.509 SubjectPublicKeyInfo DER. Chorus never stores a private key.
 * {@code apiScopes} are what the key may do on the HTTP API (deny by default). {@link #toString()} never prints
 * the material.
 */
public record ProjectKey(
        String kid,
        String projectId,
        KeyAlgorithm algorithm,
        KeyState state,
        byte[] material,
        Instant createdAt,
        Instant retiredAt,
        Instant revokedAt,
        Set<ApiScope> apiScopes) {

    public ProjectKey {
        Identifiers.requireKid(kid);
        Identifiers.requireProjectId(projectId);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        material = material.clone();
        apiScopes = apiScopes == null || apiScopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(apiScopes));
    }

    /** A key without API scopes (deny by default): it can sign and verify, but no API route accepts it. */
    public ProjectKey(String kid, String projectId, KeyAlgorithm algorithm, KeyState state, byte[] material,
                      Instant createdAt, Instant retiredAt, Instant revokedAt) {
        this(kid, projectId, algorithm, state, material, createdAt, retiredAt, revokedAt, Set.of());
    }

    /** The same key holding exactly {@code scopes} on the HTTP API. */
    public ProjectKey withApiScopes(Set<ApiScope> scopes) {
        return new ProjectKey(kid, projectId, algorithm, state, material, createdAt, retiredAt, revokedAt, scopes);
    }

    public static ProjectKey active(String kid, String projectId, KeyAlgorithm alg, byte[] material, Instant now) {
        return new ProjectKey(kid, projectId, alg, KeyState.ACTIVE, material, now, null, null);
    }

    @Override
    public byte[] material() {
        return material.clone();
    }

    public ProjectKey withState(KeyState newState, Instant at) {
        return switch (newState) {
            case ACTIVE -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt, null, null,
                    apiScopes);
            case RETIRING -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt, at, null,
                    apiScopes);
            case REVOKED -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt,
                    retiredAt, at, apiScopes);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProjectKey k && kid.equals(k.kid) && projectId.equals(k.projectId)
                && algorithm == k.algorithm && state == k.state && Arrays.equals(material, k.material)
                && createdAt.equals(k.createdAt) && Objects.equals(retiredAt, k.retiredAt)
                && Objects.equals(revokedAt, k.revokedAt) && apiScopes.equals(k.apiScopes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kid, projectId, algorithm, state);
    }

    @Override
    public String toString() {
        return "ProjectKey[kid=" + kid + ", project=" + projectId + ", alg=" + algorithm.jwtName() + ", state="
                + state.wire() + ", apiScopes=" + ApiScope.toWire(apiScopes) + ", material=<redacted>]";
    }
}
