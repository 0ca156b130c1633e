package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.List;

/**
 * Key management for the HTTP API, always scoped to the caller's project. A kid of another project is answered
 * exactly like an unknown kid ({@link ServiceError#NOT_FOUND}) and the attempt is audited with reason
 * {@code cross_project}.
 */
public final class KeyService {
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;

    public KeyService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Creates a key. HS256: Chorus generates the secret. ES256/EdDSA: with {@code publicKeyPem} null Chorus generates
     * a pair and returns the private key once; otherwise it registers the given SubjectPublicKeyInfo PEM.
     */
    public CreatedKey create(BackendPrincipal caller, KeyAlgorithm algorithm, String publicKeyPem, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    public List<KeyInfo> list(BackendPrincipal caller) {
        throw new UnsupportedOperationException("in progress");
    }

    public KeyInfo get(BackendPrincipal caller, String kid, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    /** New key of the same algorithm (from {@code newPublicKeyPem} if given) and the old one moves to retiring. */
    public CreatedKey rotate(BackendPrincipal caller, String kid, String newPublicKeyPem, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    public KeyInfo retire(BackendPrincipal caller, String kid, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    public KeyInfo revoke(BackendPrincipal caller, String kid, String source) {
        throw new UnsupportedOperationException("in progress");
    }
}
