package dev.chorus.media.sdp;

import dev.chorus.media.ice.IceCredentials;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the SFU's answer to a browser offer: ICE-lite with our ufrag/pwd and host candidates, {@code setup:passive}
 * (we are the DTLS server) with our certificate fingerprint, BUNDLE and rtcp-mux, the offer's mids, only the
 * accepted codecs (by name, with their RTX when enabled), the supported header extensions and RTCP feedback, and
 * simulcast receive when the offer sends simulcast. Sections with nothing acceptable are rejected (port 0) and
 * leave the BUNDLE group; an offer whose accepted sections are not all in one BUNDLE group is refused
 * ({@link OneTransport}).
 *
 * <pre>{@code
 * SessionDescription answer = new SdpAnswerBuilder(offer, agent.localCredentials(), fingerprint)
 *         .candidate(new InetSocketAddress("127.0.0.1", port))
 *         .codecs("opus", "VP8")
 *         .build();
 * String text = SdpWriter.write(answer);
 * }</pre>
 */
public final class SdpAnswerBuilder {
    /** Header extensions the SFU understands. */
    public static final Set<String> DEFAULT_EXTENSIONS = Set.of(
            "urn:ietf:params:rtp-hdrext:sdes:mid",
            "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    /** RTCP feedback the SFU handles ("type" or "type subtype"). */
    public static final Set<String> DEFAULT_FEEDBACK = Set.of("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");

    /** What the SFU will send on a section (for subscriber answers / echo tests). */
    public record SendStream(long ssrc, long rtxSsrc, String cname, String streamId, String trackId) {}

    private final SessionDescription offer;
    private final IceCredentials credentials;
    private final Sdp.Fingerprint fingerprint;
    private final List<InetSocketAddress> candidates = new ArrayList<>();
    private final Set<String> codecs = new LinkedHashSet<>();
    private Set<String> extensions = DEFAULT_EXTENSIONS;
    private Set<String> feedback = DEFAULT_FEEDBACK;
    private boolean rtx = true;
    private boolean simulcast = true;
    private java.util.function.BiPredicate<String, String> videoFormats = (encoding, fmtp) -> true;
    private boolean oneVideoFormat;
    private Sdp.Direction forcedDirection;
    /** Our max message size for an accepted data channel section; 0: {@code m=application} is rejected. */
    private int dataChannelMaxMessageSize;
    private final Map<String, SendStream> sendStreams = new HashMap<>();

    /**
     * @param offer the parsed remote offer
     * @param credentials the local ICE credentials of the transport (its {@code IceLiteAgent})
     * @param fingerprint our DTLS certificate fingerprint (e.g. sha-256)
     */
    public SdpAnswerBuilder(SessionDescription offer, IceCredentials credentials, Sdp.Fingerprint fingerprint) {
        this.offer = offer;
        this.credentials = credentials;
        this.fingerprint = fingerprint;
    }

    /** Adds a host candidate (UDP, component 1). At least one is required. */
    public SdpAnswerBuilder candidate(InetSocketAddress address) {
        candidates.add(address);
        return this;
    }

    /** Codec names to accept, case-insensitive (e.g. "opus", "VP8", "H264"). RTX is implied when enabled. */
    public SdpAnswerBuilder codecs(String... names) {
        for (String n : names) {
            codecs.add(n.toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /**
     * Accepts a video format of an accepted codec name only if {@code accept} (encoding, fmtp parameters or null)
     * says so, e.g. H.264 only in packetization-mode 1.
     */
    public SdpAnswerBuilder videoFormats(java.util.function.BiPredicate<String, String> accept) {
        this.videoFormats = accept;
        return this;
    }

    /**
     * Accepts only the first acceptable video format of each section, in the offer's order (the offerer's
     * preference), with its RTX: the offerer then sends exactly that one codec (default false: every acceptable one).
     */
    public SdpAnswerBuilder oneVideoFormat(boolean enabled) {
        this.oneVideoFormat = enabled;
        return this;
    }

    /** Accept RTX for accepted video codecs (default true). */
    public SdpAnswerBuilder rtx(boolean enabled) {
        this.rtx = enabled;
        return this;
    }

    /** Accept simulcast from the offerer (default true). */
    public SdpAnswerBuilder simulcast(boolean enabled) {
        this.simulcast = enabled;
        return this;
    }

    /** Replaces the accepted header extension URIs. */
    public SdpAnswerBuilder extensions(Set<String> uris) {
        this.extensions = Set.copyOf(uris);
        return this;
    }

    /** Replaces the accepted RTCP feedback ("type" or "type subtype"). */
    public SdpAnswerBuilder feedback(Set<String> fb) {
        this.feedback = Set.copyOf(fb);
        return this;
    }

    /** Uses this direction on every accepted section instead of mirroring the offer (RFC 3264 §6.1). */
    public SdpAnswerBuilder direction(Sdp.Direction direction) {
        this.forcedDirection = direction;
        return this;
    }

    /**
     * Accepts a WebRTC data channel section ({@code m=application ... UDP/DTLS/SCTP webrtc-datachannel}, RFC 8841)
     * with our {@code a=sctp-port} and {@code a=max-message-size:maxMessageSize}; without this call it is rejected.
     */
    public SdpAnswerBuilder dataChannels(int maxMessageSize) {
        if (maxMessageSize < 1) throw new IllegalArgumentException("maxMessageSize " + maxMessageSize);
        this.dataChannelMaxMessageSize = maxMessageSize;
        return this;
    }

    /** Announces a stream the SFU sends on section {@code mid} (SSRC, RTX SSRC or -1, cname, msid). */
    public SdpAnswerBuilder sendStream(String mid, SendStream stream) {
        sendStreams.put(mid, stream);
        return this;
    }

    /** Builds the answer. */
    public SessionDescription build() throws SdpNegotiationException {
        if (candidates.isEmpty()) {
            throw new IllegalStateException("at least one candidate is required");
        }
        if (offer.iceLite()) {
            // Two lite agents never send checks to each other (RFC 8445 §2.5): nothing could ever connect.
            throw new SdpNegotiationException("offerer is ICE-lite too");
        }
        InetSocketAddress first = candidates.get(0);
        String addrType = first.getAddress() instanceof Inet6Address ? "IP6" : "IP4";
        String host = first.getAddress().getHostAddress();
        long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        SessionDescription answer = new SessionDescription(
                new Sdp.Origin("-", Long.toString(sessionId), "2", "IN", addrType, host));
        answer.iceLite(true);
        if (offer.extmapAllowMixed()) {
            answer.extmapAllowMixed(true);
        }
        answer.otherAttributes().add(new Sdp.Attribute("msid-semantic", " WMS"));

        List<String> bundle = offer.bundleGroup().map(Sdp.Group::mids).orElse(List.of());
        List<String> accepted = new ArrayList<>();
        for (MediaDescription om : offer.media()) {
            MediaDescription am = answerSection(om, addrType, host, first.getPort());
            answer.media().add(am);
            if (!am.isRejected() && am.mid() != null) {
                accepted.add(am.mid());
            }
        }
        if (accepted.isEmpty()) {
            throw new SdpNegotiationException("no acceptable media section");
        }
        OneTransport.require(offer, accepted, "the offer");
        if (!bundle.isEmpty()) {
            List<String> mids = bundle.stream().filter(accepted::contains).toList();
            answer.groups().add(new Sdp.Group("BUNDLE", mids));
        }
        return answer;
    }

    private MediaDescription answerSection(MediaDescription om, String addrType, String host, int port)
            throws SdpNegotiationException {
        String mid = om.mid();
        boolean rtp = om.protocol().equals("UDP/TLS/RTP/SAVPF") || om.protocol().equals("UDP/TLS/RTP/SAVP");
        boolean media = om.media().equals("audio") || om.media().equals("video");
        List<Integer> pts = new ArrayList<>();
        if (rtp && media && om.rtcpMux() && mid != null && !om.isRejected()) {
            pts = acceptedPayloadTypes(om);
        }
        boolean data = dataChannelMaxMessageSize > 0 && DataChannelSection.offered(om);
        if (pts.isEmpty() && !data) {
            MediaDescription rejected = new MediaDescription(om.media(), 0, om.protocol());
            rejected.formats().add(om.formats().isEmpty() ? "0" : om.formats().get(0));
            rejected.connection(new Sdp.Connection("IN", "IP4", "0.0.0.0"));
            rejected.mid(mid);
            rejected.direction(Sdp.Direction.INACTIVE);
            return rejected;
        }
        Sdp.Setup remoteSetup = offer.setup(om);
        if (remoteSetup == Sdp.Setup.PASSIVE || remoteSetup == Sdp.Setup.HOLDCONN) {
            throw new SdpNegotiationException("offer wants to be the DTLS server; the SFU only answers passive");
        }
        if (offer.iceUfrag(om) == null || offer.icePwd(om) == null || offer.fingerprints(om).isEmpty()) {
            throw new SdpNegotiationException("offer section " + mid + " lacks ICE credentials or a fingerprint");
        }
        MediaDescription am = new MediaDescription(om.media(), port, om.protocol());
        for (int pt : pts) {
            am.formats().add(Integer.toString(pt));
        }
        transportAttributes(am, mid, addrType, host);
        if (data) return DataChannelSection.answer(am, dataChannelMaxMessageSize);
        for (Sdp.Extmap e : om.extmaps()) {

            if (extensions.contains(e.uri())) {
                am.extmaps().add(new Sdp.Extmap(e.id(), null, e.uri(), null));
            }
        }
        Sdp.Direction dir = forcedDirection != null ? forcedDirection : om.effectiveDirection().reverse();
        am.direction(dir);
        am.rtcpMux(true);
        am.rtcpRsize(om.rtcpRsize());
        for (int pt : pts) {
            om.rtpMap(pt).ifPresent(am.rtpMaps()::add);
            for (Sdp.RtcpFb fb : om.rtcpFbs()) {
                if (fb.payloadType() == pt
                        && feedback.contains(fb.parameters() == null ? fb.type() : fb.type() + " " + fb.parameters())) {
                    am.rtcpFbs().add(fb);
                }
            }
            om.fmtp(pt).ifPresent(am.fmtps()::add);
        }
        if (simulcast && om.simulcast() != null && !om.simulcast().send().isEmpty() && dir.receives()) {
            for (Sdp.Rid r : om.rids()) {
                if (r.direction().equals("send")) {
                    am.rids().add(new Sdp.Rid(r.id(), "recv", null));
                }
            }
            am.simulcast(new Sdp.Simulcast(List.of(), om.simulcast().send()));
        }
        SendStream s = sendStreams.get(mid);
        if (s != null && dir.sends()) {
            am.msids().add(new Sdp.Msid(s.streamId(), s.trackId()));
            if (s.rtxSsrc() >= 0) {
                am.ssrcGroups().add(new Sdp.SsrcGroup("FID", List.of(s.ssrc(), s.rtxSsrc())));
            }
            am.ssrcs().add(new Sdp.Ssrc(s.ssrc(), "cname", s.cname()));
            am.ssrcs().add(new Sdp.Ssrc(s.ssrc(), "msid", s.streamId() + " " + s.trackId()));
            if (s.rtxSsrc() >= 0) {
                am.ssrcs().add(new Sdp.Ssrc(s.rtxSsrc(), "cname", s.cname()));
                am.ssrcs().add(new Sdp.Ssrc(s.rtxSsrc(), "msid", s.streamId() + " " + s.trackId()));
            }
        }
        return am;
    }

    /** ICE, DTLS and candidates of an accepted section (media or data). */
    private void transportAttributes(MediaDescription am, String mid, String addrType, String host) {
        am.connection(new Sdp.Connection("IN", addrType, host));
        am.iceUfrag(credentials.ufrag()).icePwd(credentials.pwd());
        am.fingerprints().add(fingerprint);
        am.setup(Sdp.Setup.PASSIVE);
        am.mid(mid);
        for (int i = 0; i < candidates.size(); i++) {
            InetSocketAddress c = candidates.get(i);
            am.candidates().add(Sdp.Candidate.host(Integer.toString(i + 1), Sdp.Candidate.hostPriority(65535 - i),
                    c.getAddress().getHostAddress(), c.getPort()));
        }
        am.endOfCandidates(true);
    }

    /** Accepted payload types in offer order: named codecs, then their RTX (apt=) if enabled. */
    private List<Integer> acceptedPayloadTypes(MediaDescription om) {
        List<Integer> main = new ArrayList<>();
        boolean video = om.media().equals("video");
        for (String f : om.formats()) {
            int pt = Integer.parseInt(f); // validated by the parser for RTP profiles
            Sdp.RtpMap r = om.rtpMap(pt).orElse(null);
            if (r == null || !codecs.contains(r.encoding().toLowerCase(Locale.ROOT))) continue;
            if (video && !videoFormats.test(r.encoding(), om.fmtp(pt).map(Sdp.Fmtp::parameters).orElse(null))) continue;
            if (video && oneVideoFormat && !main.isEmpty()) continue;
            main.add(pt);
        }
        List<Integer> out = new ArrayList<>();
        for (String f : om.formats()) {
            int pt = Integer.parseInt(f);
            if (main.contains(pt)) {
                out.add(pt);
            } else if (rtx && om.media().equals("video")) {
                Sdp.RtpMap r = om.rtpMap(pt).orElse(null);
                if (r != null && r.encoding().equalsIgnoreCase("rtx")) {
                    Integer apt = om.fmtp(pt).map(x -> apt(x.parameters())).orElse(null);
                    if (apt != null && main.contains(apt)) {
                        out.add(pt);
                    }
                }
            }
        }
        return out;
    }

    private static Integer apt(String params) {
        for (String kv : params.split(";")) {
            String t = kv.trim();
            if (t.startsWith("apt=")) {
                try {
                    return Integer.parseInt(t.substring(4));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
