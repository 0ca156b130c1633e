package dev.chorus.signaling.auth;

/**
 * A refused token. {@link #reason()} is for the audit trail and metrics; {@link #getMessage()} is the generic text
 * safe to send to the caller. {@link #projectId()} / {@link #kid()} are filled in once they are trustworthy enough
 * to attribute the refusal (after the kid lookup), so the audit event can name the project. The token text is never
 * part of this exception.
 */
public final class TokenRefusedException extends RuntimeException {
    public static final String GENERIC_MESSAGE = "invalid or unauthorized token";

    private final RefusalReason reason;
    private final String projectId;
    private final String kid;
    private final String subject;

    public TokenRefusedException(RefusalReason reason) {
        this(reason, null, null, null);
    }

    public TokenRefusedException(RefusalReason reason, String projectId, String kid, String subject) {
        super(GENERIC_MESSAGE, null, false, false);
        this.reason = reason;
        this.projectId = projectId;
        this.kid = kid;
        this.subject = subject;
    }

    public RefusalReason reason() {
        return reason;
    }

    /** The project of the token's kid, or null when refused before the kid was found. */
    public String projectId() {
        return projectId;
    }

    public String kid() {
        return kid;
    }

    /** The token's subject when the signature was valid (for the audit identity hash), else null. */
    public String subject() {
        return subject;
    }

    TokenRefusedException withContext(String projectId, String kid, String subject) {
        return new TokenRefusedException(reason, projectId, kid, subject);
    }
}
