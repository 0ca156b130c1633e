package dev.chorus.media.sdp;

/** Malformed, oversized or hostile SDP. {@link #line()} is 1-based, 0 when the whole input is refused. */
public final class SdpParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    public SdpParseException(int line, String message) {
        super(line > 0 ? "SDP line " + line + ": " + message : "SDP: " + message);
        this.line = line;
    }

    /** 1-based line number of the offending line, or 0. */
    public int line() {
        return line;
    }
}
