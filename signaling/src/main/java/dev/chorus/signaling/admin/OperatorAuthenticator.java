package dev.chorus.signaling.admin;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.AuthFailureLimiter;
import dev.chorus.signaling.auth.BackendAuthException;
import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates the operator on the admin API: {@code Authorization: Basic base64("operator:" + secret)}. The
 * secret is checked against the stored PBKDF2 hash ({@link OperatorCredential}); a project's API key is never an
 * operator credential. Failures count against the same per-source budget as backend authentication and are
 * audited as {@value #ACTION}. The SHA-256 of the last secret that passed the KDF is remembered in memory, so a
 * script's successive calls pay the (deliberately slow) KDF once.
 */
public final class OperatorAuthenticator {
    public static final String ACTION = "admin.auth";
    public static final String USER = "operator";

    private final Store store;
    private final AuthFailureLimiter limiter;
    private final AuditLog audit;
    private volatile Memo memo;

    private record Memo(OperatorCredential credential, byte[] fingerprint) {}

    public OperatorAuthenticator(Store store, AuthFailureLimiter limiter, AuditLog audit) {
        this.store = store;
        this.limiter = limiter;
        this.audit = audit;
    }

    /**
     * @throws BackendAuthException 401 (missing or wrong credential, no operator initialised) or 429 (throttled)
     */
    public void authenticate(String authorization, String source) {
        if (limiter.throttled(source)) {
            if (limiter.firstThrottledAttempt(source)) refuse(source, RefusalReason.THROTTLED, false);
            throw new BackendAuthException(RefusalReason.THROTTLED);
        }
        if (authorization == null || authorization.isBlank()) {
            refuse(source, RefusalReason.MISSING_CREDENTIALS, true);
        }
        String secret = secret(authorization);
        if (secret == null) { // another scheme, another user (a project key), or malformed
            refuse(source, RefusalReason.BAD_CREDENTIALS, true);
        }
        Optional<OperatorCredential> stored = store.operatorCredential();
        if (stored.isEmpty()) {
            refuse(source, RefusalReason.BAD_CREDENTIALS, true);
        }
        byte[] fp = OperatorCredential.fingerprint(secret);
        Memo m = memo;
        if (m != null && m.credential.equals(stored.get()) && MessageDigest.isEqual(m.fingerprint, fp)) {
            return;
        }
        if (!stored.get().matches(secret)) {
            refuse(source, RefusalReason.BAD_CREDENTIALS, true);
        }
        memo = new Memo(stored.get(), fp);
    }

    /** The secret of a {@code Basic operator:<secret>} header, or null when absent or malformed. */
    private static String secret(String authorization) {
        if (authorization == null || authorization.length() > 4096) return null;
        int sp = authorization.indexOf(' ');
        if (sp < 0 || !authorization.substring(0, sp).equalsIgnoreCase("Basic")) return null;
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(authorization.substring(sp + 1).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!pair.startsWith(USER + ":")) return null;
        String s = pair.substring(USER.length() + 1);
        return s.isEmpty() ? null : s;
    }

    private void refuse(String source, RefusalReason reason, boolean count) {
        if (count) limiter.recordFailure(source);
        audit.append(new AuditEvent(null, null, source, ACTION, null, dev.chorus.signaling.audit.AuditOutcome.REFUSED,
                reason.code(), Map.of()));
        throw new BackendAuthException(reason);
    }
}
