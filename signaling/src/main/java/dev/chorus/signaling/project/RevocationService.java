package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Instant;

/** Token (jti) and subject revocation for the HTTP API, scoped to the caller's project. */
public final class RevocationService {
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;

    public RevocationService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    /** Denies a jti until the longest time a token of this project could still be valid. */
    public void revokeToken(BackendPrincipal caller, String jti, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Revokes every token of {@code subject} issued up to now; returns the watermark. */
    public Instant revokeSubject(BackendPrincipal caller, String subject, String source) {
        throw new UnsupportedOperationException("in progress");
    }
}
