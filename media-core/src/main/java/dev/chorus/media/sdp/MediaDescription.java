package dev.chorus.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One media section ({@code m=} line and its attributes). Mutable: the parser fills it, builders edit it, the
 * writer prints it. The lists returned are the live, modifiable lists.
 */
public final class MediaDescription {
    private String media;
    private int port;
    private int portCount = 1;
    private String protocol;
    private final List<String> formats = new ArrayList<>();
    private Sdp.Connection connection;
    private final List<String> bandwidths = new ArrayList<>();
    private String mid;
    private Sdp.Direction direction;
    private boolean rtcpMux;
    private boolean rtcpRsize;
    private String iceUfrag;
    private String icePwd;
    private final List<String> iceOptions = new ArrayList<>();
    private final List<Sdp.Fingerprint> fingerprints = new ArrayList<>();
    private Sdp.Setup setup;
    private final List<Sdp.Msid> msids = new ArrayList<>();
    private final List<Sdp.Ssrc> ssrcs = new ArrayList<>();
    private final List<Sdp.SsrcGroup> ssrcGroups = new ArrayList<>();
    private final List<Sdp.Rid> rids = new ArrayList<>();
    private Sdp.Simulcast simulcast;
    private final List<Sdp.Extmap> extmaps = new ArrayList<>();
    private final List<Sdp.RtpMap> rtpMaps = new ArrayList<>();
    private final List<Sdp.Fmtp> fmtps = new ArrayList<>();
    private final List<Sdp.RtcpFb> rtcpFbs = new ArrayList<>();
    private final List<Sdp.Candidate> candidates = new ArrayList<>();
    private boolean endOfCandidates;
    private final List<Sdp.Attribute> otherAttributes = new ArrayList<>();

    public MediaDescription(String media, int port, String protocol) {
        this.media = media;
        this.port = port;
        this.protocol = protocol;
    }

    public String media() { return media; }
    public MediaDescription media(String v) { media = v; return this; }
    public int port() { return port; }
    public MediaDescription port(int v) { port = v; return this; }
    /** Number of ports ({@code m=video 9/2 ...}); 1 when absent. */
    public int portCount() { return portCount; }
    public MediaDescription portCount(int v) { portCount = v; return this; }
    public String protocol() { return protocol; }
    public MediaDescription protocol(String v) { protocol = v; return this; }
    /** Payload types (or other format tokens) as on the m-line. */
    public List<String> formats() { return formats; }
    public Sdp.Connection connection() { return connection; }
    public MediaDescription connection(Sdp.Connection v) { connection = v; return this; }
    /** {@code b=} values without the prefix, e.g. {@code AS:2000}. */
    public List<String> bandwidths() { return bandwidths; }
    public String mid() { return mid; }
    public MediaDescription mid(String v) { mid = v; return this; }
    /** Direction attribute, or null if absent (means sendrecv). */
    public Sdp.Direction direction() { return direction; }
    public MediaDescription direction(Sdp.Direction v) { direction = v; return this; }
    /** Direction with the default applied. */
    public Sdp.Direction effectiveDirection() { return direction == null ? Sdp.Direction.SENDRECV : direction; }
    public boolean rtcpMux() { return rtcpMux; }
    public MediaDescription rtcpMux(boolean v) { rtcpMux = v; return this; }
    public boolean rtcpRsize() { return rtcpRsize; }
    public MediaDescription rtcpRsize(boolean v) { rtcpRsize = v; return this; }
    public String iceUfrag() { return iceUfrag; }
    public MediaDescription iceUfrag(String v) { iceUfrag = v; return this; }
    public String icePwd() { return icePwd; }
    public MediaDescription icePwd(String v) { icePwd = v; return this; }
    public List<String> iceOptions() { return iceOptions; }
    public List<Sdp.Fingerprint> fingerprints() { return fingerprints; }
    public Sdp.Setup setup() { return setup; }
    public MediaDescription setup(Sdp.Setup v) { setup = v; return this; }
    public List<Sdp.Msid> msids() { return msids; }
    public List<Sdp.Ssrc> ssrcs() { return ssrcs; }
    public List<Sdp.SsrcGroup> ssrcGroups() { return ssrcGroups; }
    public List<Sdp.Rid> rids() { return rids; }
    public Sdp.Simulcast simulcast() { return simulcast; }
    public MediaDescription simulcast(Sdp.Simulcast v) { simulcast = v; return this; }
    public List<Sdp.Extmap> extmaps() { return extmaps; }
    public List<Sdp.RtpMap> rtpMaps() { return rtpMaps; }
    public List<Sdp.Fmtp> fmtps() { return fmtps; }
    public List<Sdp.RtcpFb> rtcpFbs() { return rtcpFbs; }
    public List<Sdp.Candidate> candidates() { return candidates; }
    public boolean endOfCandidates() { return endOfCandidates; }
    public MediaDescription endOfCandidates(boolean v) { endOfCandidates = v; return this; }
    /** Attributes the model does not type (kept and written back in order). */
    public List<Sdp.Attribute> otherAttributes() { return otherAttributes; }

    /** True if the section is rejected ({@code port 0}) (RFC 8843: bundled sections use port 0 only if rejected or bundle-only). */
    public boolean isRejected() {
        return port == 0 && !otherAttributes.stream().anyMatch(a -> a.name().equals("bundle-only"));
    }

    /** The rtpmap of a payload type. */
    public Optional<Sdp.RtpMap> rtpMap(int payloadType) {
        for (Sdp.RtpMap r : rtpMaps) {
            if (r.payloadType() == payloadType) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The fmtp of a payload type. */
    public Optional<Sdp.Fmtp> fmtp(int payloadType) {
        for (Sdp.Fmtp f : fmtps) {
            if (f.payloadType() == payloadType) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The rtcp-fb lines for a payload type (including {@code *}). */
    public List<Sdp.RtcpFb> rtcpFbs(int payloadType) {
        return rtcpFbs.stream().filter(r -> r.payloadType() == payloadType || r.payloadType() == -1).toList();
    }

    /** SSRCs announced with {@code a=ssrc}, distinct, in order. */
    public List<Long> ssrcIds() {
        return ssrcs.stream().map(Sdp.Ssrc::ssrc).distinct().toList();
    }
}
