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

    /** The project's whole jti deny-list (a node's verification cache loads it once, then follows the bus). */
    java.util.Set<String> revokedTokens(String projectId);

    /** The project's subject watermarks by subject (loaded once by a node's verification cache). */
    java.util.Map<String, Instant> subjectWatermarks(String projectId);

    /** Forgets jti entries whose token can no longer verify anyway. Returns how many were removed. */
    int purgeExpiredRevocations(Instant now);
}
