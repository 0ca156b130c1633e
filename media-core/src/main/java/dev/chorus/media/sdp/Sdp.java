package dev.chorus.media.sdp;

import java.util.List;

/**
 * Value types of the SDP model (RFC 8866 with the WebRTC attributes of RFC 8829/8839/8843/8851/8853/5576/8285).
 * All are immutable records; {@link SessionDescription} and {@link MediaDescription} hold them.
 */
public final class Sdp {
    private Sdp() {}

    /** {@code o=} line. Session id and version are kept as digit strings (they may exceed 63 bits). */
    public record Origin(String username, String sessionId, String sessionVersion, String netType, String addrType,
                         String address) {}

    /** {@code c=} line. */
    public record Connection(String netType, String addrType, String address) {}

    /** {@code a=group:<semantics> <mid>...} (BUNDLE, LS, ...). */
    public record Group(String semantics, List<String> mids) {
        public Group {
            mids = List.copyOf(mids);
        }
    }

    /** {@code a=fingerprint:<hash-func> <hex:hex:...>}; the value is upper-case hex with colons. */
    public record Fingerprint(String hashFunction, String value) {}

    /** {@code a=setup} (RFC 4145 / 5763). */
    public enum Setup {
        ACTIVE, PASSIVE, ACTPASS, HOLDCONN;

        /** The SDP token. */
        public String token() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Media direction attribute. */
    public enum Direction {
        SENDRECV, SENDONLY, RECVONLY, INACTIVE;

        /** The SDP token. */
        public String token() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The direction an answerer uses to mirror this offer direction (RFC 3264 §6.1). */
        public Direction reverse() {
            return switch (this) {
                case SENDONLY -> RECVONLY;
                case RECVONLY -> SENDONLY;
                default -> this;
            };
        }

        /** True if media flows from the author of the description. */
        public boolean sends() {
            return this == SENDRECV || this == SENDONLY;
        }

        /** True if the author of the description receives media. */
        public boolean receives() {
            return this == SENDRECV || this == RECVONLY;
        }
    }

    /** {@code a=rtpmap:<pt> <encoding>/<clock>[/<channels>]}; channels 0 when absent. */
    public record RtpMap(int payloadType, String encoding, int clockRate, int channels) {}

    /** {@code a=fmtp:<pt> <parameters>}. */
    public record Fmtp(int payloadType, String parameters) {}

    /** {@code a=rtcp-fb:<pt|*> <type> [<params>]}; payloadType -1 means {@code *}. */
    public record RtcpFb(int payloadType, String type, String parameters) {}

    /** {@code a=extmap:<id>[/<direction>] <uri> [<attributes>]}. */
    public record Extmap(int id, String direction, String uri, String attributes) {}

    /** {@code a=ssrc:<ssrc> <attribute>[:<value>]}. */
    public record Ssrc(long ssrc, String attribute, String value) {}

    /** {@code a=ssrc-group:<semantics> <ssrc>...} (FID, SIM, FEC-FR). */
    public record SsrcGroup(String semantics, List<Long> ssrcs) {
        public SsrcGroup {
            ssrcs = List.copyOf(ssrcs);
        }
    }

    /** {@code a=rid:<id> <send|recv> [<params>]} (RFC 8851). */
    public record Rid(String id, String direction, String parameters) {}

    /**
     * {@code a=simulcast} (RFC 8853): each list is a ';'-separated list of alternatives, each a ','-separated list
     * of rids (a paused rid keeps its '~' prefix).
     */
    public record Simulcast(List<List<String>> send, List<List<String>> recv) {
        public Simulcast {
            send = send.stream().map(List::copyOf).toList();
            recv = recv.stream().map(List::copyOf).toList();
        }
    }

    /** {@code a=msid:<stream-id> [<track-id>]} (RFC 8830); trackId may be null. */
    public record Msid(String streamId, String trackId) {}

    /**
     * {@code a=candidate} (RFC 8839 §5.1). relAddress/relPort are null/-1 when absent; extensions are the trailing
     * name/value pairs in order (e.g. generation, network-id, tcptype).
     */
    public record Candidate(String foundation, int component, String transport, long priority, String address,
                            int port, String type, String relAddress, int relPort, List<String> extensions) {
        public Candidate {
            extensions = List.copyOf(extensions);
        }

        /** A host UDP candidate for component 1. */
        public static Candidate host(String foundation, long priority, String address, int port) {
            return new Candidate(foundation, 1, "udp", priority, address, port, "host", null, -1, List.of());
        }

        /** RFC 8445 §5.1.2.1 priority for a host candidate, component 1, with the given local preference. */
        public static long hostPriority(int localPreference) {
            return (126L << 24) | ((long) (localPreference & 0xFFFF) << 8) | (256 - 1);
        }
    }

    /** Any other attribute, kept in order; value null for a flag attribute. */
    public record Attribute(String name, String value) {}
}
