package dev.chorus.signaling.ws;

/**
 * Close codes sent by the server on {@code /v1/ws}. Documented in docs/protocol.md; clients may rely on them.
 * The close reason text is short and generic; the audit trail has the detail.
 */
public final class WsCloseCodes {
    private WsCloseCodes() {}

    /** The client said {@code leave}, or the server ended the session normally. */
    public static final int NORMAL = 1000;
    /** The server is shutting down. */
    public static final int GOING_AWAY = 1001;
    /** A binary message: the protocol is JSON text only. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A text frame that is not valid UTF-8 (overlong forms, surrogates, truncated sequences). */
    public static final int INVALID_PAYLOAD = 1007;
    /** Message flood, a message that never finishes, too many bad messages: policy violation. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame or message above the size limit. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Unexpected server error. */
    public static final int INTERNAL_ERROR = 1011;
    /** RFC 6455 1013 Try Again Later: the join could not be decided now (the store is unreachable). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** No message at all within the idle deadline after joining. */
    public static final int IDLE_TIMEOUT = 4000;
    /** No join message within the join deadline. */
    public static final int JOIN_TIMEOUT = 4001;
    /** The first message was not a well-formed {@code join}. */
    public static final int BAD_JOIN = 4002;
    /** The join token was refused (invalid, expired, revoked, wrong room, ...). Deliberately not more specific. */
    public static final int JOIN_REFUSED = 4003;
    /** The session's authorization ended: key or token revoked, room closed, participant removed. */
    public static final int REVOKED = 4004;
    /** The token expired and was not refreshed in time. */
    public static final int TOKEN_EXPIRED = 4005;
    /** The room already has the project's maximum number of participants ({@code maxParticipantsPerRoom}). */
    public static final int ROOM_FULL = 4006;
    /** The media plane could not take the participant (no capacity, or it is stopping). */
    public static final int MEDIA_UNAVAILABLE = 4007;
    /**
     * The session's ABAC conditions no longer hold (outside its daily hours or validity window, or its source no
     * longer inside the allowed ranges after a policy change); checked on a timer and on every access-policy change.
     */
    public static final int CONDITIONS_NOT_MET = 4008;
    /**
     * Cluster mode: the room lives on another node. A {@code redirect} message naming that node's URL precedes this
     * close; the client joins there with the same token (docs/protocol.md, docs/cluster.md).
     */
    public static final int REDIRECT = 4010;
    /**
     * A session resume was refused (docs/protocol.md, "Session resume"); the reason names why: {@code
     * unknown_credential}, {@code credential_used}, {@code resume_expired}, {@code session_ended}, {@code
     * resume_mismatch}, {@code token_refused}, … The client joins again as a new participant.
     */
    public static final int RESUME_REFUSED = 4011;
}
