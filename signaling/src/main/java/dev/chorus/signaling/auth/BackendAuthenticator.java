package dev.chorus.signaling.auth;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Duration;

/**
 * Authenticates app backends on the HTTP API from the {@code Authorization} header:
 * <ul>
 *   <li>{@code Basic base64(keyId:secret)}: an HS256 API key of the project, compared in constant time;</li>
 *   <li>{@code Bearer <jwt>}: a backend JWT ({@code typ} = {@code chorus-backend+jwt}, {@code iss} = project id,
 *       {@code aud} = deployment id, {@code exp - iat} ≤ 5 min) signed by an active or retiring project key,
 *       verified with the same strict parser and pinned-algorithm rules as join tokens.</li>
 * </ul>
 * Each failure is counted per source by the {@link AuthFailureLimiter} and audited; once a source is throttled the
 * credential is not even checked (bounded CPU) and the answer is 429.
 */
public final class BackendAuthenticator {
    public static final String BACKEND_TYPE = "chorus-backend+jwt";
    public static final Duration MAX_BACKEND_TOKEN_TTL = Duration.ofMinutes(5);

    private final Store store;
    private final String audience;
    private final Clock clock;
    private final AuthFailureLimiter limiter;
    private final AuditLog audit;
    private final AuthMetrics metrics;

    public BackendAuthenticator(Store store, String audience, Clock clock, AuthFailureLimiter limiter, AuditLog audit,
                                AuthMetrics metrics) {
        this.store = store;
        this.audience = audience;
        this.clock = clock;
        this.limiter = limiter;
        this.audit = audit;
        this.metrics = metrics;
    }

    /**
     * @param authorization the raw header value (may be null)
     * @param source        the peer address, for throttling and the audit trail
     * @throws BackendAuthException 401 or 429
     */
    public BackendPrincipal authenticate(String authorization, String source) {
        throw new UnsupportedOperationException("in progress");
    }
}
