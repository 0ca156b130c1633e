package dev.chorus.signaling.auth;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.store.Store;
import java.time.Clock;

/**
 * Mints join tokens for the HTTP API.
 *
 * <p><b>Which key signs.</b> The HS256 API key that authenticated the call ({@link BackendPrincipal#kid()}), and
 * only when the project allows HS256 join tokens ({@code Project.hs256JoinTokens}) and that key is active. Chorus
 * holds no private ES256/EdDSA key, so a caller that authenticated with a backend JWT signed by an asymmetric key
 * is refused ({@code signing_not_allowed}); such a backend mints its own tokens (see {@link BackendTokenMinter}).
 * Signing with the caller's own key keeps attribution exact (the token's kid names the credential that asked for
 * it) and makes revoking that key revoke everything it minted.
 */
public final class JoinTokenIssuer {
    private final Store store;
    private final String audience;
    private final Clock clock;
    private final AuditLog audit;
    private final AuthMetrics metrics;

    public JoinTokenIssuer(Store store, String audience, Clock clock, AuditLog audit, AuthMetrics metrics) {
        this.store = store;
        this.audience = audience;
        this.clock = clock;
        this.audit = audit;
        this.metrics = metrics;
    }

    /**
     * @throws dev.chorus.signaling.project.ServiceException (400 ttl_too_long, invalid_request, unknown_scope …;
     *                                                       403 scope_not_allowed, signing_not_allowed)
     */
    public MintedToken mint(BackendPrincipal caller, MintRequest request, String source) {
        throw new UnsupportedOperationException("in progress");
    }
}
