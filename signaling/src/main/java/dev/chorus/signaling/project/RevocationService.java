package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Token (jti) and subject revocation for the HTTP API. Both are namespaced by the caller's project, so a backend
 * can never revoke (or probe) another project's tokens.
 */
public final class RevocationService {
    private static final Pattern JTI = Pattern.compile("[A-Za-z0-9_.:-]{16,128}");
    /** Kept past the longest possible token lifetime plus the maximum verification leeway. */
    private static final Duration LEEWAY_MARGIN = Duration.ofSeconds(60);

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;
    private final Duration clockSkew;

    public RevocationService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this(store, audit, clock, events, ControlPlane.DEFAULT_LEEWAY);
    }

    /**
     * @param clockSkew the verifier's clock leeway: a token may carry an {@code iat} up to this far ahead of our
     *                  clock, so a subject revocation must also cover tokens "issued" up to this far in the future
     */
    public RevocationService(Store store, AuditLog audit, Clock clock, ProjectEvents events, Duration clockSkew) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
        this.clockSkew = clockSkew;
    }

    /** Denies a jti until the longest time a token of this project could still be valid. */
    public void revokeToken(BackendPrincipal caller, String jti, String source) {
        Project project = ProjectScope.project(store, caller);
        if (jti == null || !JTI.matcher(jti).matches()) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.REVOKE_TOKEN, "token",
                    ServiceError.INVALID_REQUEST, "jti must be 16-128 characters [A-Za-z0-9_.:-]");
        }
        Instant until = clock.instant().plus(project.maxTokenTtl()).plus(LEEWAY_MARGIN);
        store.revokeToken(project.id(), jti, until);
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.REVOKE_TOKEN, "jti:" + jti,
                Map.of("until", until.toString())));
        events.tokenRevoked(project.id(), jti);
    }

    /**
     * Revokes every token of {@code subject} issued up to now; returns the watermark. Tokens whose {@code iat}
     * (whole seconds) is at or before the watermark are refused. The watermark is now + the verifier's clock leeway:
     * a backend whose clock runs ahead stamps tokens minted before the revocation with an {@code iat} up to the
     * leeway in the future, and those must not survive it. A replacement token needs an {@code iat} after the
     * returned watermark.
     */
    public Instant revokeSubject(BackendPrincipal caller, String subject, String source) {
        Project project = ProjectScope.project(store, caller);
        if (!Identifiers.isSubject(subject)) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.REVOKE_SUBJECT, "subject",
                    ServiceError.INVALID_REQUEST, "identity must be 1-256 printable characters (NFC)");
        }
        Instant watermark = clock.instant().plus(clockSkew);
        store.revokeSubject(project.id(), subject, watermark);
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.REVOKE_SUBJECT,
                AuditEvent.identityHash(project.id(), subject), Map.of("issued_before", watermark.toString())));
        events.subjectRevoked(project.id(), subject, watermark);
        return watermark;
    }
}
