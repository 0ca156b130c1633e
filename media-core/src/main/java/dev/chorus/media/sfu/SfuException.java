package dev.chorus.media.sfu;

/**
 * A refused SFU operation, with a stable {@link Code} for signaling to map to a protocol error. The message is
 * for humans and logs: it never contains SDP, credentials or media.
 */
public final class SfuException extends RuntimeException {
    /** Stable refusal codes. */
    public enum Code {
        /** The offer publishes a kind the participant may not publish (SECURITY-CHECKLIST 20). */
        PUBLISH_NOT_ALLOWED,
        /** More tracks than {@link MediaRights#maxTracks} (checklist 41). */
        TOO_MANY_TRACKS,
        /** The SDP could not be parsed or is outside the limits. */
        BAD_SDP,
        /** Parsed, but nothing acceptable (codecs, DTLS role, ICE) could be negotiated. */
        NEGOTIATION_FAILED,
        /** {@link Participant#answerSubscription} without an outstanding subscriber offer. */
        NO_PENDING_OFFER,
        /**
         * {@link Participant#answerSubscription(String, long)} names a subscriber offer version that was never sent
         * (a client defect); the outstanding offer is left as it is.
         */
        UNKNOWN_OFFER_VERSION,
        /** The media server has no room for another transport. */
        CAPACITY,
        /** No such track of this participant. */
        UNKNOWN_TRACK,
        /** The participant, room or SFU is closed. */
        CLOSED
    }

    private final Code code;

    public SfuException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
