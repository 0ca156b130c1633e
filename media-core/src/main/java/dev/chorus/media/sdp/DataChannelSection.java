package dev.chorus.media.sdp;

import java.util.OptionalInt;

/**
 * The WebRTC data channel section (RFC 8841, RFC 8831 section 5): {@code m=application <port> UDP/DTLS/SCTP
 * webrtc-datachannel} with {@code a=sctp-port} (the SCTP port inside DTLS, 5000 unless said otherwise) and
 * {@code a=max-message-size} (the largest message the sender of the attribute can receive; 65536 when absent, 0
 * meaning "no limit"). Recognizes an offered section and completes our answer to it.
 */
public final class DataChannelSection {
    public static final String PROTOCOL = "UDP/DTLS/SCTP";
    public static final String FORMAT = "webrtc-datachannel";
    /** RFC 8841 section 5: the SCTP port when {@code a=sctp-port} is absent. */
    public static final int DEFAULT_SCTP_PORT = 5000;
    /** RFC 8841 section 6: the max message size when {@code a=max-message-size} is absent. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65_536;

    private DataChannelSection() { }

    /** An accepted (port ≠ 0) data channel section with a mid. */
    public static boolean offered(MediaDescription m) {
        return m.media().equals("application") && m.protocol().equals(PROTOCOL) && m.formats().contains(FORMAT)
                && m.mid() != null && !m.isRejected();
    }

    /** The peer's SCTP port, or {@link #DEFAULT_SCTP_PORT}; empty if the attribute is not a port. */
    public static OptionalInt sctpPort(MediaDescription m) {
        String v = attribute(m, "sctp-port");
        if (v == null) return OptionalInt.of(DEFAULT_SCTP_PORT);
        int port = parse(v);
        return port >= 1 && port <= 65_535 ? OptionalInt.of(port) : OptionalInt.empty();
    }

    /**
     * The largest message the peer accepts: {@link #DEFAULT_MAX_MESSAGE_SIZE} when absent, {@link Integer#MAX_VALUE}
     * for 0 ("any size"); empty if malformed.
     */
    public static OptionalInt maxMessageSize(MediaDescription m) {
        String v = attribute(m, "max-message-size");
        if (v == null) return OptionalInt.of(DEFAULT_MAX_MESSAGE_SIZE);
        int size = parse(v);
        if (size < 0) return OptionalInt.empty();
        return OptionalInt.of(size == 0 ? Integer.MAX_VALUE : size);
    }

    /** Completes an answer section that already has its transport attributes: our SCTP port and message size. */
    static MediaDescription answer(MediaDescription am, int maxMessageSize) {
        am.formats().clear();
        am.formats().add(FORMAT);
        am.otherAttributes().add(new Sdp.Attribute("sctp-port", Integer.toString(DEFAULT_SCTP_PORT)));
        am.otherAttributes().add(new Sdp.Attribute("max-message-size", Integer.toString(maxMessageSize)));
        return am;
    }

    private static String attribute(MediaDescription m, String name) {
        for (Sdp.Attribute a : m.otherAttributes()) {
            if (a.name().equals(name)) return a.value() == null ? "" : a.value().trim();
        }
        return null;
    }

    /** A non-negative decimal of at most 9 digits, else -1. */
    private static int parse(String v) {
        if (v.isEmpty() || v.length() > 9) return -1;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        }
        return Integer.parseInt(v);
    }
}
