package dev.chorus.media.sdp;

/** A well-formed offer that cannot be answered (no acceptable media, incompatible DTLS role, missing ICE/DTLS). */
public final class SdpNegotiationException extends Exception {
    private static final long serialVersionUID = 1L;

    public SdpNegotiationException(String message) {
        super(message);
    }
}
