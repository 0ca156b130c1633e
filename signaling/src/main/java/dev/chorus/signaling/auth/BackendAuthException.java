package dev.chorus.signaling.auth;

/**
 * Backend authentication failed. {@link #throttled()} tells the API to answer 429 instead of 401. The message is
 * generic; {@link #reason()} goes to the audit trail.
 */
public final class BackendAuthException extends RuntimeException {
    private final RefusalReason reason;

    public BackendAuthException(RefusalReason reason) {
        super(reason == RefusalReason.THROTTLED ? "too many failed attempts" : "authentication required", null,
                false, false);
        this.reason = reason;
    }

    public RefusalReason reason() {
        return reason;
    }

    public boolean throttled() {
        return reason == RefusalReason.THROTTLED;
    }

    /** 429 when throttled, else 401. */
    public int httpStatus() {
        return throttled() ? 429 : 401;
    }
}
