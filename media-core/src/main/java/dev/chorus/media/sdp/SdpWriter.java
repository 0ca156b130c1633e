package dev.chorus.media.sdp;

import java.util.List;

/**
 * Writes a {@link SessionDescription} as SDP text with CRLF line ends, in a fixed order (typed attributes first,
 * then untyped ones in their original order). Parsing the output yields an equal model.
 */
public final class SdpWriter {
    private SdpWriter() {}

    /** The SDP text. */
    public static String write(SessionDescription s) {
        StringBuilder b = new StringBuilder(4096);
        line(b, "v=0");
        Sdp.Origin o = s.origin();
        line(b, "o=" + o.username() + " " + o.sessionId() + " " + o.sessionVersion() + " " + o.netType() + " "
                + o.addrType() + " " + o.address());
        line(b, "s=" + s.sessionName());
        if (s.connection() != null) {
            connection(b, s.connection());
        }
        for (String bw : s.bandwidths()) {
            line(b, "b=" + bw);
        }
        line(b, "t=" + s.timing());
        for (Sdp.Group g : s.groups()) {
            line(b, "a=group:" + g.semantics() + (g.mids().isEmpty() ? "" : " " + String.join(" ", g.mids())));
        }
        if (s.iceLite()) {
            line(b, "a=ice-lite");
        }
        if (s.iceUfrag() != null) {
            line(b, "a=ice-ufrag:" + s.iceUfrag());
        }
        if (s.icePwd() != null) {
            line(b, "a=ice-pwd:" + s.icePwd());
        }
        if (!s.iceOptions().isEmpty()) {
            line(b, "a=ice-options:" + String.join(" ", s.iceOptions()));
        }
        for (Sdp.Fingerprint f : s.fingerprints()) {
            line(b, "a=fingerprint:" + f.hashFunction() + " " + f.value());
        }
        if (s.setup() != null) {
            line(b, "a=setup:" + s.setup().token());
        }
        if (s.extmapAllowMixed()) {
            line(b, "a=extmap-allow-mixed");
        }
        for (Sdp.Extmap e : s.extmaps()) {
            extmap(b, e);
        }
        others(b, s.otherAttributes());
        for (MediaDescription m : s.media()) {
            media(b, m);
        }
        return b.toString();
    }

    private static void media(StringBuilder b, MediaDescription m) {
        b.append("m=").append(m.media()).append(' ').append(m.port());
        if (m.portCount() != 1) {
            b.append('/').append(m.portCount());
        }
        b.append(' ').append(m.protocol());
        for (String f : m.formats()) {
            b.append(' ').append(f);
        }
        b.append("\r\n");
        if (m.connection() != null) {
            connection(b, m.connection());
        }
        for (String bw : m.bandwidths()) {
            line(b, "b=" + bw);
        }
        for (Sdp.Candidate c : m.candidates()) {
            line(b, "a=candidate:" + candidate(c));
        }
        if (m.endOfCandidates()) {
            line(b, "a=end-of-candidates");
        }
        if (m.iceUfrag() != null) {
            line(b, "a=ice-ufrag:" + m.iceUfrag());
        }
        if (m.icePwd() != null) {
            line(b, "a=ice-pwd:" + m.icePwd());
        }
        if (!m.iceOptions().isEmpty()) {
            line(b, "a=ice-options:" + String.join(" ", m.iceOptions()));
        }
        for (Sdp.Fingerprint f : m.fingerprints()) {
            line(b, "a=fingerprint:" + f.hashFunction() + " " + f.value());
        }
        if (m.setup() != null) {
            line(b, "a=setup:" + m.setup().token());
        }
        if (m.mid() != null) {
            line(b, "a=mid:" + m.mid());
        }
        for (Sdp.Extmap e : m.extmaps()) {
            extmap(b, e);
        }
        if (m.direction() != null) {
            line(b, "a=" + m.direction().token());
        }
        for (Sdp.Msid id : m.msids()) {
            line(b, "a=msid:" + id.streamId() + (id.trackId() == null ? "" : " " + id.trackId()));
        }
        if (m.rtcpMux()) {
            line(b, "a=rtcp-mux");
        }
        if (m.rtcpRsize()) {
            line(b, "a=rtcp-rsize");
        }
        // rtpmap / rtcp-fb / fmtp grouped per payload type in m-line order, as browsers write them.
        for (Sdp.RtcpFb fb : m.rtcpFbs()) {
            if (fb.payloadType() == -1) {
                line(b, "a=rtcp-fb:* " + fb.type() + (fb.parameters() == null ? "" : " " + fb.parameters()));
            }
        }
        for (Sdp.RtpMap r : m.rtpMaps()) {
            line(b, "a=rtpmap:" + r.payloadType() + " " + r.encoding() + "/" + r.clockRate()
                    + (r.channels() > 0 ? "/" + r.channels() : ""));
            for (Sdp.RtcpFb fb : m.rtcpFbs()) {
                if (fb.payloadType() == r.payloadType()) {
                    line(b, "a=rtcp-fb:" + fb.payloadType() + " " + fb.type()
                            + (fb.parameters() == null ? "" : " " + fb.parameters()));
                }
            }
            for (Sdp.Fmtp f : m.fmtps()) {
                if (f.payloadType() == r.payloadType()) {
                    line(b, "a=fmtp:" + f.payloadType() + " " + f.parameters());
                }
            }
        }
        // rtcp-fb / fmtp for payload types without rtpmap (static types) keep their place after the mapped ones.
        for (Sdp.RtcpFb fb : m.rtcpFbs()) {
            if (fb.payloadType() >= 0 && m.rtpMap(fb.payloadType()).isEmpty()) {
                line(b, "a=rtcp-fb:" + fb.payloadType() + " " + fb.type()
                        + (fb.parameters() == null ? "" : " " + fb.parameters()));
            }
        }
        for (Sdp.Fmtp f : m.fmtps()) {
            if (m.rtpMap(f.payloadType()).isEmpty()) {
                line(b, "a=fmtp:" + f.payloadType() + " " + f.parameters());
            }
        }
        for (Sdp.SsrcGroup g : m.ssrcGroups()) {
            StringBuilder l = new StringBuilder("a=ssrc-group:").append(g.semantics());
            for (long id : g.ssrcs()) {
                l.append(' ').append(id);
            }
            line(b, l.toString());
        }
        for (Sdp.Ssrc s : m.ssrcs()) {
            line(b, "a=ssrc:" + s.ssrc() + " " + s.attribute() + (s.value() == null ? "" : ":" + s.value()));
        }
        for (Sdp.Rid r : m.rids()) {
            line(b, "a=rid:" + r.id() + " " + r.direction() + (r.parameters() == null ? "" : " " + r.parameters()));
        }
        if (m.simulcast() != null) {
            StringBuilder l = new StringBuilder("a=simulcast:");
            boolean first = true;
            if (!m.simulcast().send().isEmpty()) {
                l.append("send ").append(simulcastList(m.simulcast().send()));
                first = false;
            }
            if (!m.simulcast().recv().isEmpty()) {
                l.append(first ? "" : " ").append("recv ").append(simulcastList(m.simulcast().recv()));
            }
            line(b, l.toString());
        }
        others(b, m.otherAttributes());
    }

    private static String simulcastList(List<List<String>> list) {
        return String.join(";", list.stream().map(alt -> String.join(",", alt)).toList());
    }

    /** The value of an {@code a=candidate:} line (without the prefix). */
    public static String candidate(Sdp.Candidate c) {
        StringBuilder l = new StringBuilder();
        l.append(c.foundation()).append(' ').append(c.component()).append(' ').append(c.transport()).append(' ')
                .append(c.priority()).append(' ').append(c.address()).append(' ').append(c.port())
                .append(" typ ").append(c.type());
        if (c.relAddress() != null) {
            l.append(" raddr ").append(c.relAddress());
        }
        if (c.relPort() >= 0) {
            l.append(" rport ").append(c.relPort());
        }
        for (String e : c.extensions()) {
            l.append(' ').append(e);
        }
        return l.toString();
    }

    private static void extmap(StringBuilder b, Sdp.Extmap e) {
        line(b, "a=extmap:" + e.id() + (e.direction() == null ? "" : "/" + e.direction()) + " " + e.uri()
                + (e.attributes() == null ? "" : " " + e.attributes()));
    }

    private static void connection(StringBuilder b, Sdp.Connection c) {
        line(b, "c=" + c.netType() + " " + c.addrType() + " " + c.address());
    }

    private static void others(StringBuilder b, List<Sdp.Attribute> attrs) {
        for (Sdp.Attribute a : attrs) {
            line(b, "a=" + a.name() + (a.value() == null ? "" : ":" + a.value()));
        }
    }

    private static void line(StringBuilder b, String l) {
        b.append(l).append("\r\n");
    }
}
