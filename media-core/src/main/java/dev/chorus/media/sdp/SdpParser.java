package dev.chorus.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Strict SDP parser for WebRTC offers and answers. Every size and count is bounded by {@link SdpLimits}, numbers
 * are range-checked, and any violation is an {@link SdpParseException} naming the line — work is linear in the input
 * and the input is capped, so hostile SDP (thousands of m-lines or candidates, huge numbers) costs bounded CPU and
 * memory. Lines may end in CRLF or LF.
 */
public final class SdpParser {
    private final SdpLimits limits;
    private int lineNo;
    private int candidates;

    private SdpParser(SdpLimits limits) {
        this.limits = limits;
    }

    /** Parses with {@link SdpLimits#DEFAULT}. */
    public static SessionDescription parse(String sdp) throws SdpParseException {
        return parse(sdp, SdpLimits.DEFAULT);
    }

    /** Parses with explicit limits. */
    public static SessionDescription parse(String sdp, SdpLimits limits) throws SdpParseException {
        return new SdpParser(limits).run(sdp);
    }

    /**
     * One trickled ICE candidate as {@code RTCIceCandidate.candidate} carries it ({@code candidate:…}, with or without
     * the {@code a=} prefix), by the same rules as an {@code a=candidate} line of an SDP.
     */
    public static Sdp.Candidate parseCandidate(String line) throws SdpParseException {
        if (line == null || line.length() > SdpLimits.DEFAULT.maxLineLength()) throw new SdpParseException(0, "candidate");
        String v = line.startsWith("a=") ? line.substring(2) : line;
        if (!v.startsWith("candidate:")) throw new SdpParseException(0, "not a candidate");
        return new SdpParser(SdpLimits.DEFAULT).candidate(v.substring("candidate:".length()));
    }

    private SdpParseException error(String message) {
        return new SdpParseException(lineNo, message);
    }

    private SessionDescription run(String sdp) throws SdpParseException {
        if (sdp == null || sdp.isEmpty()) {
            throw new SdpParseException(0, "empty");
        }
        if (sdp.length() > limits.maxBytes()) {
            throw new SdpParseException(0, "larger than " + limits.maxBytes() + " characters");
        }
        SessionDescription session = null;
        MediaDescription current = null;
        int pos = 0;
        int n = sdp.length();
        boolean sawTiming = false;
        boolean sawSessionName = false;
        while (pos < n) {
            int nl = sdp.indexOf('\n', pos);
            int end = nl < 0 ? n : nl;
            int next = nl < 0 ? n : nl + 1;
            if (end > pos && sdp.charAt(end - 1) == '\r') {
                end--;
            }
            lineNo++;
            if (lineNo > limits.maxLines()) {
                throw error("more than " + limits.maxLines() + " lines");
            }
            if (end - pos > limits.maxLineLength()) {
                throw error("line longer than " + limits.maxLineLength());
            }
            String line = sdp.substring(pos, end);
            pos = next;
            if (line.isEmpty()) {
                if (pos >= n) {
                    break; // trailing empty line
                }
                throw error("empty line");
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7F) {
                    throw error("control character");
                }
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw error("not a <type>=<value> line");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (session == null) {
                if (type != 'v' || !value.equals("0")) {
                    throw error("must start with v=0");
                }
                session = new SessionDescription(null);
                continue;
            }
            switch (type) {
                case 'v' -> throw error("duplicate v=");
                case 'o' -> {
                    if (current != null || session.origin() != null) {
                        throw error("misplaced o=");
                    }
                    session.origin(origin(value));
                }
                case 's' -> {
                    if (current != null || sawSessionName) {
                        throw error("misplaced s=");
                    }
                    sawSessionName = true;
                    session.sessionName(value);
                }
                case 't' -> {
                    if (current != null) {
                        throw error("t= inside media section");
                    }
                    sawTiming = true;
                    session.timing(value);
                }
                case 'c' -> {
                    Sdp.Connection c = connection(value);
                    if (current != null) {
                        current.connection(c);
                    } else {
                        session.connection(c);
                    }
                }
                case 'b' -> {
                    if (current != null) {
                        current.bandwidths().add(value);
                    } else {
                        session.bandwidths().add(value);
                    }
                }
                case 'm' -> {
                    if (session.media().size() >= limits.maxMediaSections()) {
                        throw error("more than " + limits.maxMediaSections() + " media sections");
                    }
                    current = media(value);
                    session.media().add(current);
                }
                case 'a' -> {
                    if (current != null) {
                        mediaAttribute(current, value);
                    } else {
                        sessionAttribute(session, value);
                    }
                }
                case 'i', 'u', 'e', 'p', 'z', 'k', 'r' -> { } // informational lines: accepted and dropped
                default -> throw error("unknown line type '" + type + "'");
            }
        }
        if (session == null) {
            throw new SdpParseException(0, "no v= line");
        }
        java.util.Set<String> mids = new java.util.HashSet<>();
        for (MediaDescription m : session.media()) {
            if (m.mid() != null && !mids.add(m.mid())) {
                throw new SdpParseException(0, "duplicate mid " + m.mid());
            }
        }
        if (session.origin() == null || !sawSessionName || !sawTiming) {
            throw new SdpParseException(0, "missing o=, s= or t=");
        }
        return session;
    }

    // --- lines ------------------------------------------------------------------------------------------------------

    private Sdp.Origin origin(String v) throws SdpParseException {
        String[] p = split(v, 6, 6, "o=");
        digits(p[1], 20, "session id");
        digits(p[2], 20, "session version");
        return new Sdp.Origin(token(p[0], "username"), p[1], p[2], token(p[3], "nettype"), token(p[4], "addrtype"),
                address(p[5]));
    }

    private Sdp.Connection connection(String v) throws SdpParseException {
        String[] p = split(v, 3, 3, "c=");
        return new Sdp.Connection(token(p[0], "nettype"), token(p[1], "addrtype"), address(p[2]));
    }

    private MediaDescription media(String v) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length < 3) {
            throw error("m= needs media, port, proto");
        }
        if (p.length - 3 > limits.maxFormatsPerMedia()) {
            throw error("more than " + limits.maxFormatsPerMedia() + " formats");
        }
        String portField = p[1];
        int portCount = 1;
        int slash = portField.indexOf('/');
        if (slash >= 0) {
            portCount = (int) number(portField.substring(slash + 1), 1, 65535, "port count");
            portField = portField.substring(0, slash);
        }
        MediaDescription m = new MediaDescription(token(p[0], "media"), (int) number(portField, 0, 65535, "port"),
                token(p[2], "proto"));
        m.portCount(portCount);
        for (int i = 3; i < p.length; i++) {
            String f = token(p[i], "format");
            if (m.protocol().contains("RTP")) {
                number(f, 0, 127, "payload type");
            }
            if (m.formats().contains(f)) {
                // an answer would repeat its rtpmap/fmtp lines, which this parser itself refuses
                throw error("format " + f + " listed twice on the m= line");
            }
            m.formats().add(f);
        }
        return m;
    }

    // --- attributes -------------------------------------------------------------------------------------------------

    private void sessionAttribute(SessionDescription s, String v) throws SdpParseException {
        int colon = v.indexOf(':');
        String name = colon < 0 ? v : v.substring(0, colon);
        String value = colon < 0 ? null : v.substring(colon + 1);
        switch (name) {
            case "group" -> s.groups().add(group(need(value, name)));
            case "ice-lite" -> s.iceLite(true);
            case "ice-ufrag" -> s.iceUfrag(iceString(need(value, name), 4, 256, name));
            case "ice-pwd" -> s.icePwd(iceString(need(value, name), 22, 256, name));
            case "ice-options" -> s.iceOptions().addAll(tokens(need(value, name)));
            case "fingerprint" -> s.fingerprints().add(fingerprint(need(value, name)));
            case "setup" -> s.setup(setup(need(value, name)));
            case "extmap-allow-mixed" -> s.extmapAllowMixed(true);
            case "extmap" -> s.extmaps().add(extmap(need(value, name)));
            default -> s.otherAttributes().add(new Sdp.Attribute(attributeName(name), value));
        }
    }

    private void mediaAttribute(MediaDescription m, String v) throws SdpParseException {
        int colon = v.indexOf(':');
        String name = colon < 0 ? v : v.substring(0, colon);
        String value = colon < 0 ? null : v.substring(colon + 1);
        switch (name) {
            case "mid" -> {
                if (m.mid() != null) {
                    throw error("second a=mid in one section");
                }
                m.mid(mid(need(value, name)));
            }
            case "sendrecv" -> m.direction(Sdp.Direction.SENDRECV);
            case "sendonly" -> m.direction(Sdp.Direction.SENDONLY);
            case "recvonly" -> m.direction(Sdp.Direction.RECVONLY);
            case "inactive" -> m.direction(Sdp.Direction.INACTIVE);
            case "rtcp-mux" -> m.rtcpMux(true);
            case "rtcp-rsize" -> m.rtcpRsize(true);
            case "ice-ufrag" -> m.iceUfrag(iceString(need(value, name), 4, 256, name));
            case "ice-pwd" -> m.icePwd(iceString(need(value, name), 22, 256, name));
            case "ice-options" -> m.iceOptions().addAll(tokens(need(value, name)));
            case "fingerprint" -> m.fingerprints().add(fingerprint(need(value, name)));
            case "setup" -> m.setup(setup(need(value, name)));
            case "msid" -> m.msids().add(msid(need(value, name)));
            case "ssrc" -> m.ssrcs().add(ssrc(need(value, name)));
            case "ssrc-group" -> m.ssrcGroups().add(ssrcGroup(need(value, name)));
            case "rid" -> m.rids().add(rid(need(value, name)));
            case "simulcast" -> m.simulcast(simulcast(need(value, name)));
            case "extmap" -> {
                Sdp.Extmap e = extmap(need(value, name));
                if (m.extmaps().stream().anyMatch(x -> x.id() == e.id())) {
                    throw error("extmap id " + e.id() + " used twice");
                }
                m.extmaps().add(e);
            }
            case "rtpmap" -> {
                Sdp.RtpMap r = rtpMap(need(value, name));
                if (m.rtpMap(r.payloadType()).isPresent()) {
                    throw error("second rtpmap for payload type " + r.payloadType());
                }
                m.rtpMaps().add(r);
            }
            case "fmtp" -> {
                Sdp.Fmtp f = fmtp(need(value, name));
                if (m.fmtp(f.payloadType()).isPresent()) {
                    throw error("second fmtp for payload type " + f.payloadType());
                }
                m.fmtps().add(f);
            }
            case "rtcp-fb" -> m.rtcpFbs().add(rtcpFb(need(value, name)));
            case "candidate" -> {
                if (++candidates > limits.maxCandidates()) {
                    throw error("more than " + limits.maxCandidates() + " candidates");
                }
                m.candidates().add(candidate(need(value, name)));
            }
            case "end-of-candidates" -> m.endOfCandidates(true);
            default -> m.otherAttributes().add(new Sdp.Attribute(attributeName(name), value));
        }
    }

    private Sdp.Group group(String v) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length - 1 > limits.maxMediaSections()) {
            throw error("group with too many mids");
        }
        List<String> mids = new ArrayList<>();
        for (int i = 1; i < p.length; i++) {
            mids.add(mid(p[i]));
        }
        return new Sdp.Group(token(p[0], "group semantics"), mids);
    }

    private Sdp.Fingerprint fingerprint(String v) throws SdpParseException {
        String[] p = split(v, 2, 2, "fingerprint");
        String hash = token(p[0], "hash function").toLowerCase(Locale.ROOT);
        String hex = p[1];
        if (hex.length() < 2 || hex.length() > 3 * 64 - 1 || (hex.length() + 1) % 3 != 0) {
            throw error("fingerprint value length");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            boolean ok = i % 3 == 2 ? c == ':' : Character.digit(c, 16) >= 0;
            if (!ok) {
                throw error("fingerprint must be hex pairs separated by ':'");
            }
        }
        return new Sdp.Fingerprint(hash, hex.toUpperCase(Locale.ROOT));
    }

    private Sdp.Setup setup(String v) throws SdpParseException {
        return switch (v) {
            case "active" -> Sdp.Setup.ACTIVE;
            case "passive" -> Sdp.Setup.PASSIVE;
            case "actpass" -> Sdp.Setup.ACTPASS;
            case "holdconn" -> Sdp.Setup.HOLDCONN;
            default -> throw error("unknown setup value");
        };
    }

    private Sdp.Extmap extmap(String v) throws SdpParseException {
        String[] p = v.split(" ", 3);
        if (p.length < 2) {
            throw error("extmap needs id and uri");
        }
        String idField = p[0];
        String direction = null;
        int slash = idField.indexOf('/');
        if (slash >= 0) {
            direction = idField.substring(slash + 1);
            if (!List.of("sendrecv", "sendonly", "recvonly", "inactive").contains(direction)) {
                throw error("extmap direction");
            }
            idField = idField.substring(0, slash);
        }
        int id = (int) number(idField, 1, 255, "extmap id");
        return new Sdp.Extmap(id, direction, token(p[1], "extmap uri"), p.length > 2 ? p[2] : null);
    }

    private Sdp.RtpMap rtpMap(String v) throws SdpParseException {
        String[] p = split(v, 2, 2, "rtpmap");
        int pt = (int) number(p[0], 0, 127, "payload type");
        String[] enc = p[1].split("/", -1);
        if (enc.length < 2 || enc.length > 3) {
            throw error("rtpmap encoding must be name/clock[/channels]");
        }
        int clock = (int) number(enc[1], 1, Integer.MAX_VALUE, "clock rate");
        int channels = enc.length == 3 ? (int) number(enc[2], 1, 255, "channels") : 0;
        return new Sdp.RtpMap(pt, token(enc[0], "encoding name"), clock, channels);
    }

    private Sdp.Fmtp fmtp(String v) throws SdpParseException {
        int sp = v.indexOf(' ');
        if (sp <= 0) {
            throw error("fmtp needs payload type and parameters");
        }
        return new Sdp.Fmtp((int) number(v.substring(0, sp), 0, 127, "payload type"), v.substring(sp + 1));
    }

    private Sdp.RtcpFb rtcpFb(String v) throws SdpParseException {
        String[] p = v.split(" ", 3);
        if (p.length < 2) {
            throw error("rtcp-fb needs payload type and type");
        }
        int pt = p[0].equals("*") ? -1 : (int) number(p[0], 0, 127, "payload type");
        return new Sdp.RtcpFb(pt, token(p[1], "rtcp-fb type"), p.length > 2 ? p[2] : null);
    }

    private Sdp.Msid msid(String v) throws SdpParseException {
        String[] p = split(v, 1, 2, "msid");
        return new Sdp.Msid(msidToken(p[0]), p.length > 1 ? msidToken(p[1]) : null);
    }

    private Sdp.Ssrc ssrc(String v) throws SdpParseException {
        int sp = v.indexOf(' ');
        if (sp <= 0) {
            throw error("ssrc needs an id and an attribute");
        }
        long id = number(v.substring(0, sp), 0, 0xFFFFFFFFL, "ssrc");
        String rest = v.substring(sp + 1);
        int colon = rest.indexOf(':');
        String attr = colon < 0 ? rest : rest.substring(0, colon);
        return new Sdp.Ssrc(id, attributeName(attr), colon < 0 ? null : rest.substring(colon + 1));
    }

    private Sdp.SsrcGroup ssrcGroup(String v) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length < 2 || p.length - 1 > limits.maxSsrcsPerGroup()) {
            throw error("ssrc-group needs 1.." + limits.maxSsrcsPerGroup() + " ssrcs");
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i < p.length; i++) {
            ids.add(number(p[i], 0, 0xFFFFFFFFL, "ssrc"));
        }
        return new Sdp.SsrcGroup(token(p[0], "ssrc-group semantics"), ids);
    }

    private Sdp.Rid rid(String v) throws SdpParseException {
        String[] p = v.split(" ", 3);
        if (p.length < 2 || !(p[1].equals("send") || p[1].equals("recv"))) {
            throw error("rid needs id and send|recv");
        }
        return new Sdp.Rid(ridId(p[0]), p[1], p.length > 2 ? p[2] : null);
    }

    private Sdp.Simulcast simulcast(String v) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length != 2 && p.length != 4) {
            throw error("simulcast must be '<send|recv> <list> [<recv|send> <list>]'");
        }
        List<List<String>> send = List.of();
        List<List<String>> recv = List.of();
        for (int i = 0; i < p.length; i += 2) {
            List<List<String>> list = simulcastList(p[i + 1]);
            switch (p[i]) {
                case "send" -> {
                    if (!send.isEmpty()) {
                        throw error("simulcast send twice");
                    }
                    send = list;
                }
                case "recv" -> {
                    if (!recv.isEmpty()) {
                        throw error("simulcast recv twice");
                    }
                    recv = list;
                }
                default -> throw error("simulcast direction");
            }
        }
        return new Sdp.Simulcast(send, recv);
    }

    private List<List<String>> simulcastList(String v) throws SdpParseException {
        List<List<String>> out = new ArrayList<>();
        for (String alt : v.split(";", -1)) {
            List<String> rids = new ArrayList<>();
            for (String r : alt.split(",", -1)) {
                ridId(r.startsWith("~") ? r.substring(1) : r);
                rids.add(r);
            }
            out.add(rids);
        }
        if (out.size() > 16) {
            throw error("too many simulcast streams");
        }
        return out;
    }

    private Sdp.Candidate candidate(String v) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length < 8 || (p.length - 8) % 2 != 0) {
            throw error("candidate needs foundation component transport priority address port typ type [name value]...");
        }
        String foundation = iceString(p[0], 1, 32, "foundation");
        int component = (int) number(p[1], 1, 256, "component");
        String transport = token(p[2], "transport").toLowerCase(Locale.ROOT);
        long priority = number(p[3], 1, 0xFFFFFFFFL, "priority");
        String address = address(p[4]);
        int port = (int) number(p[5], 0, 65535, "port");
        if (!p[6].equals("typ")) {
            throw error("candidate: expected 'typ'");
        }
        String type = p[7];
        if (!List.of("host", "srflx", "prflx", "relay").contains(type)) {
            throw error("candidate type");
        }
        String relAddr = null;
        int relPort = -1;
        List<String> ext = new ArrayList<>();
        for (int i = 8; i < p.length; i += 2) {
            String key = token(p[i], "candidate extension");
            String val = token(p[i + 1], "candidate extension value");
            switch (key) {
                case "raddr" -> relAddr = address(val);
                case "rport" -> relPort = (int) number(val, 0, 65535, "rport");
                default -> {
                    ext.add(key);
                    ext.add(val);
                }
            }
        }
        return new Sdp.Candidate(foundation, component, transport, priority, address, port, type, relAddr, relPort, ext);
    }

    // --- lexical helpers -----------------------------------------------------------------------------------------

    private String need(String value, String name) throws SdpParseException {
        if (value == null || value.isEmpty()) {
            throw error("a=" + name + " needs a value");
        }
        return value;
    }

    private String[] split(String v, int min, int max, String what) throws SdpParseException {
        String[] p = v.split(" ", -1);
        if (p.length < min || p.length > max) {
            throw error(what + " has " + p.length + " fields");
        }
        return p;
    }

    private List<String> tokens(String v) throws SdpParseException {
        List<String> out = new ArrayList<>();
        for (String t : v.split(" ", -1)) {
            out.add(token(t, "token"));
        }
        return out;
    }

    /** Non-empty, no spaces. */
    private String token(String t, String what) throws SdpParseException {
        if (t.isEmpty() || t.length() > 1024) {
            throw error("empty or oversized " + what);
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ' ' || c == '\t') {
                throw error("blank inside " + what);
            }
        }
        return t;
    }

    private String attributeName(String name) throws SdpParseException {
        if (name.isEmpty() || name.length() > 64) {
            throw error("attribute name length");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '-' && c != '_' && c != '.') {
                throw error("attribute name character");
            }
        }
        return name;
    }

    private String mid(String v) throws SdpParseException {
        if (v.isEmpty() || v.length() > 64) {
            throw error("mid length");
        }
        return token(v, "mid");
    }

    private String ridId(String v) throws SdpParseException {
        if (v.isEmpty() || v.length() > 64) {
            throw error("rid id length");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw error("rid id character");
            }
        }
        return v;
    }

    private String msidToken(String v) throws SdpParseException {
        if (v.length() > 64) {
            throw error("msid id longer than 64");
        }
        return token(v, "msid id");
    }

    private String iceString(String v, int min, int max, String what) throws SdpParseException {
        if (v.length() < min || v.length() > max) {
            throw error(what + " length must be " + min + ".." + max);
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/')) {
                throw error(what + " must be ice-chars");
            }
        }
        return v;
    }

    /** An IP address literal or host name: bounded, no blanks, a safe character set. */
    private String address(String v) throws SdpParseException {
        if (v.isEmpty() || v.length() > 255) {
            throw error("address length");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == ':'
                    || c == '-' || c == '%' || c == '_')) {
                throw error("address character");
            }
        }
        return v;
    }

    private void digits(String v, int maxLen, String what) throws SdpParseException {
        if (v.isEmpty() || v.length() > maxLen) {
            throw error(what + " must be 1.." + maxLen + " digits");
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                throw error(what + " must be digits");
            }
        }
    }

    /** A decimal number in [min, max]; at most 10 digits are read, so huge numbers fail fast. */
    private long number(String v, long min, long max, String what) throws SdpParseException {
        if (v.isEmpty() || v.length() > 10) {
            throw error(what + " out of range");
        }
        long r = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw error(what + " must be a decimal number");
            }
            r = r * 10 + (c - '0');
        }
        if (r < min || r > max) {
            throw error(what + " out of range");
        }
        return r;
    }
}
