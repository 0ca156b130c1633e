package dev.chorus.signaling.store;

import java.time.Instant;
import java.util.Optional;

/** Revoked join tokens (by jti, until they would expire anyway) and per-subject revocation watermarks. */
public interface RevocationRepository {

    /** Adds a jti to the project's deny-list until {@code expiresAt} (the token's own expiry plus leeway). */
    void revokeToken(String projectId, String jti, Instant expiresAt);

    boolean isTokenRevoked(String projectId, String jti);

    /**
     * Records "tokens for this subject issued at or before {@code issuedBefore} are revoked". The watermark only
     * moves forward: an older time does not lower it.
     */
    void revokeSubject(String projectId, String subject, Instant issuedBefore);

    Optional<Instant> subjectWatermark(String projectId, String subject);

    /** Forgets jti entries whose token can no longer verify anyway. Returns how many were removed. */
    int purgeExpiredRevocations(Instant now);
}
