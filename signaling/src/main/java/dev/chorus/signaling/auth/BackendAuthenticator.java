package dev.chorus.signaling.auth;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.AuditOutcome;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates app backends on the HTTP API from the {@code Authorization} header:
 * <ul>
 *   <li>{@code Basic base64(keyId:secret)}: an HS256 API key of the project, compared in constant time;</li>
 *   <li>{@code Bearer <jwt>}: a backend JWT ({@code typ} = {@code chorus-backend+jwt}, {@code iss} = project id,
 *       {@code aud} = deployment id, {@code exp - iat} ≤ 5 min) signed by an active or retiring project key,
 *       verified with the same strict parser and pinned-algorithm rules as join tokens.</li>
 * </ul>
 * Each failure is counted per source by the {@link AuthFailureLimiter} and audited; once a source is throttled the
 * credential is not even checked (bounded CPU) and the answer is 429; the first 429 of a window is audited, the
 * rest only counted ({@code chorus_backend_auth_failures_total{reason="throttled"}}), so a flood cannot become a
 * flood of fsync'ed audit lines. Retiring keys still authenticate (so a
 * backend can finish a rotation); revoked keys do not.
 */
public final class BackendAuthenticator {
    public static final String BACKEND_TYPE = "chorus-backend+jwt";
    public static final Duration MAX_BACKEND_TOKEN_TTL = Duration.ofMinutes(5);
    private static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final byte[] DUMMY_SECRET = KeyMaterial.newHs256Secret().getBytes(StandardCharsets.UTF_8);

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
        if (limiter.throttled(source)) {
            metrics.backendAuthFailed(RefusalReason.THROTTLED);
            if (limiter.firstThrottledAttempt(source)) {
                audit.append(new AuditEvent(null, null, source, AuditAction.BACKEND_AUTH, null, AuditOutcome.REFUSED,
                        RefusalReason.THROTTLED.code(), Map.of("note",
                                "further refusals from this source in this window are counted, not audited")));
            }
            throw new BackendAuthException(RefusalReason.THROTTLED);
        }
        try {
            return check(authorization);
        } catch (TokenRefusedException e) {
            limiter.recordFailure(source);
            refuse(e.projectId(), e.kid(), source, e.reason());
            throw new AssertionError("unreachable");
        }
    }

    private void refuse(String project, String kid, String source, RefusalReason reason) {
        metrics.backendAuthFailed(reason);
        audit.append(AuditEvent.refused(project, kid, source, AuditAction.BACKEND_AUTH, null, reason.code()));
        throw new BackendAuthException(reason);
    }

    private BackendPrincipal check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new TokenRefusedException(RefusalReason.MISSING_CREDENTIALS);
        }
        if (authorization.length() > StrictJwtParser.MAX_TOKEN_CHARS + 16) {
            throw new TokenRefusedException(RefusalReason.TOO_LARGE);
        }
        int sp = authorization.indexOf(' ');
        String scheme = sp < 0 ? authorization : authorization.substring(0, sp);
        String value = sp < 0 ? "" : authorization.substring(sp + 1).strip();
        if (scheme.equalsIgnoreCase("Basic")) {
            return basic(value);
        }
        if (scheme.equalsIgnoreCase("Bearer")) {
            return bearer(value);
        }
        throw new TokenRefusedException(RefusalReason.MISSING_CREDENTIALS);
    }

    /** {@code keyId:secret}; the secret is compared in constant time against the stored HS256 secret. */
    private BackendPrincipal basic(String b64) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon < 0) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        String kid = pair.substring(0, colon);
        byte[] secret = pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        if (!Identifiers.isKid(kid)) {
            throw new TokenRefusedException(RefusalReason.BAD_CREDENTIALS);
        }
        Optional<ProjectKey> key = store.key(kid);
        // compare even when the key is unknown, so timing does not tell which kids exist
        byte[] expected = key.filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::material)
                .orElse(DUMMY_SECRET);
        boolean match = MessageDigest.isEqual(expected, secret);
        if (key.isEmpty() || key.get().algorithm() != KeyAlgorithm.HS256 || !match) {
            throw new TokenRefusedException(RefusalReason.BAD_CREDENTIALS,
                    key.map(ProjectKey::projectId).orElse(null), key.isPresent() ? kid : null, null);
        }
        return principal(key.get(), BackendPrincipal.Method.API_KEY);
    }

    private BackendPrincipal bearer(String token) {
        ParsedJwt jwt = StrictJwtParser.parse(token);
        ProjectKey key = SignedJwtCheck.verify(store, jwt, BACKEND_TYPE);
        try {
            long now = clock.instant().getEpochSecond();
            long skew = LEEWAY.toSeconds();
            long exp = Claims.seconds(jwt.payload(), "exp");
            long iat = Claims.seconds(jwt.payload(), "iat");
            if (now >= exp + skew) {
                throw new TokenRefusedException(RefusalReason.EXPIRED);
            }
            if (iat > now + skew) {
                throw new TokenRefusedException(RefusalReason.NOT_YET_VALID);
            }
            if (exp <= iat || exp - iat > MAX_BACKEND_TOKEN_TTL.toSeconds()) {
                throw new TokenRefusedException(RefusalReason.TTL_TOO_LONG);
            }
            if (!audience.equals(Claims.text(jwt.payload(), "aud"))) {
                throw new TokenRefusedException(RefusalReason.BAD_AUDIENCE);
            }
            if (!key.projectId().equals(Claims.text(jwt.payload(), "iss"))) {
                throw new TokenRefusedException(RefusalReason.BAD_ISSUER);
            }
            return principal(key, BackendPrincipal.Method.BACKEND_JWT);
        } catch (TokenRefusedException e) {
            throw e.withContext(key.projectId(), key.kid(), null);
        }
    }

    private BackendPrincipal principal(ProjectKey key, BackendPrincipal.Method method) {
        if (!key.state().canVerify()) {
            throw new TokenRefusedException(RefusalReason.KEY_REVOKED, key.projectId(), key.kid(), null);
        }
        return new BackendPrincipal(key.projectId(), key.kid(), key.algorithm(), method, key.apiScopes());
    }
}
