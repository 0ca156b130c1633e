package dev.chorus.signaling.ws;

/**
 * A session the call layer refuses after the token was accepted (e.g. the room is full): closed with
 * {@link #closeCode()}, audited and counted as a refused join with {@link #reason()}.
 */
public final class SessionRefusedException extends RuntimeException {
    private final int closeCode;
    private final String reason;

    public SessionRefusedException(int closeCode, String reason) {
        super(reason, null, false, false);
        this.closeCode = closeCode;
        this.reason = reason;
    }

    public int closeCode() { return closeCode; }

    /** Stable reason code (audit, metrics, the close frame's text). */
    public String reason() { return reason; }
}
