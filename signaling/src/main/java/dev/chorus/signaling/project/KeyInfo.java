package dev.chorus.signaling.project;

import java.time.Instant;

/**
 * What the API shows about a key: never the HS256 secret; the public key PEM for ES256/EdDSA.
 */
public record KeyInfo(String kid, String projectId, KeyAlgorithm algorithm, KeyState state, Instant createdAt,
                      Instant retiredAt, Instant revokedAt, String publicKeyPem, java.util.Set<ApiScope> apiScopes) {
}
