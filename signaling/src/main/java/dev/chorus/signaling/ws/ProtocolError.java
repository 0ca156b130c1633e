package dev.chorus.signaling.ws;

/** A bad message from a client: answered with {@code {"type":"error","code":…,"message":…}}. */
public final class ProtocolError extends Exception {
    private final String code;

    public ProtocolError(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
