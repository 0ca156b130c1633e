package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One project key as stored. {@code material} is the HS256 secret (UTF-8 bytes of the secret string handed to the
 * backend) or, for ES256/EdDSA, the public key as X.509 SubjectPublicKeyInfo DER. Chorus never stores a private key.
 * {@link #toString()} never prints the material.
 */
public record ProjectKey(
        String kid,
        String projectId,
        KeyAlgorithm algorithm,
        KeyState state,
        byte[] material,
        Instant createdAt,
        Instant retiredAt,
        Instant revokedAt) {

    public ProjectKey {
        Identifiers.requireKid(kid);
        Identifiers.requireProjectId(projectId);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        material = material.clone();
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
            case ACTIVE -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt, null, null);
            case RETIRING -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt, at, null);
            case REVOKED -> new ProjectKey(kid, projectId, algorithm, newState, material, createdAt,
                    retiredAt, at);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProjectKey k && kid.equals(k.kid) && projectId.equals(k.projectId)
                && algorithm == k.algorithm && state == k.state && Arrays.equals(material, k.material)
                && createdAt.equals(k.createdAt) && Objects.equals(retiredAt, k.retiredAt)
                && Objects.equals(revokedAt, k.revokedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kid, projectId, algorithm, state);
    }

    @Override
    public String toString() {
        return "ProjectKey[kid=" + kid + ", project=" + projectId + ", alg=" + algorithm.jwtName() + ", state="
                + state.wire() + ", material=<redacted>]";
    }
}
