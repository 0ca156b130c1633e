package dev.chorus.media.sdp;

import dev.chorus.media.ice.IceCredentials;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds an offer the SFU sends (e.g. to a subscriber): ICE-lite with our credentials and host candidates,
 * {@code setup:actpass} (RFC 8842; browsers answer {@code active}, so the SFU stays the DTLS server), BUNDLE over
 * all sections, rtcp-mux, and the codec the SFU forwards there: Opus (PT 111) for audio; for video one codec with
 * its RTX (VP8 (PT 96/97) unless a {@link VideoFormat} names another: the published track's), with Chromium's
 * header extension ids. Each section may announce the stream the SFU sends on it.
 *
 * <pre>{@code
 * SessionDescription offer = new SdpOfferBuilder(agent.localCredentials(), fingerprint)
 *         .candidate(new InetSocketAddress("127.0.0.1", port))
 *         .audio("0", Sdp.Direction.SENDONLY, new SdpAnswerBuilder.SendStream(ssrcA, -1, "sfu", "s", "a"))
 *         .video("1", Sdp.Direction.SENDONLY, new SdpAnswerBuilder.SendStream(ssrcV, rtxV, "sfu", "s", "v"))
 *         .build();
 * }</pre>
 */
public final class SdpOfferBuilder {
    /** Opus payload type. */
    public static final int PT_OPUS = 111;
    /** VP8 payload type. */
    public static final int PT_VP8 = 96;
    /** RTX payload type for VP8. */
    public static final int PT_VP8_RTX = 97;

    /**
     * The one video codec of a section: rtpmap encoding name, payload type, its RTX payload type, and the fmtp
     * parameters (null: none), e.g. the publisher's H.264 profile and packetization mode.
     */
    public record VideoFormat(String encoding, int payloadType, int rtxPayloadType, String fmtp) {}

    /** VP8 (PT 96) with RTX (PT 97): what a section without a format offers. */
    public static final VideoFormat VP8 = new VideoFormat("VP8", PT_VP8, PT_VP8_RTX, null);

    private record Section(String kind, String mid, Sdp.Direction direction, SdpAnswerBuilder.SendStream stream,
                           VideoFormat format) {}

    private final IceCredentials credentials;
    private final Sdp.Fingerprint fingerprint;
    private final List<InetSocketAddress> candidates = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();
    private long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private long sessionVersion = 1;

    public SdpOfferBuilder(IceCredentials credentials, Sdp.Fingerprint fingerprint) {
        this.credentials = credentials;
        this.fingerprint = fingerprint;
    }

    /** Adds a host candidate (UDP, component 1). At least one is required. */
    public SdpOfferBuilder candidate(InetSocketAddress address) {
        candidates.add(address);
        return this;
    }

    /** Keeps the o= line stable across renegotiations: same id, increasing version (RFC 8866 §5.2). */
    public SdpOfferBuilder session(long id, long version) {
        this.sessionId = id;
        this.sessionVersion = version;
        return this;
    }

    /** An Opus section; {@code stream} may be null (nothing sent yet). */
    public SdpOfferBuilder audio(String mid, Sdp.Direction direction, SdpAnswerBuilder.SendStream stream) {
        sections.add(new Section("audio", mid, direction, stream, null));
        return this;
    }

    /** A VP8 (+RTX) section; {@code stream} may be null. */
    public SdpOfferBuilder video(String mid, Sdp.Direction direction, SdpAnswerBuilder.SendStream stream) {
        return video(mid, direction, stream, VP8);
    }

    /** A video section of one codec ({@code format}) with its RTX; {@code stream} may be null. */
    public SdpOfferBuilder video(String mid, Sdp.Direction direction, SdpAnswerBuilder.SendStream stream,
                                 VideoFormat format) {
        sections.add(new Section("video", mid, direction, stream, format));
        return this;
    }

    /** Builds the offer. */
    public SessionDescription build() {
        if (candidates.isEmpty() || sections.isEmpty()) {
            throw new IllegalStateException("at least one candidate and one section are required");
        }
        InetSocketAddress first = candidates.get(0);
        String addrType = first.getAddress() instanceof Inet6Address ? "IP6" : "IP4";
        String host = first.getAddress().getHostAddress();
        SessionDescription sd = new SessionDescription(new Sdp.Origin("-", Long.toString(sessionId),
                Long.toString(sessionVersion), "IN", addrType, host));
        sd.iceLite(true);
        sd.extmapAllowMixed(true);
        sd.groups().add(new Sdp.Group("BUNDLE", sections.stream().map(Section::mid).toList()));
        sd.otherAttributes().add(new Sdp.Attribute("msid-semantic", " WMS"));
        for (Section s : sections) {
            MediaDescription m = new MediaDescription(s.kind(), first.getPort(), "UDP/TLS/RTP/SAVPF");
            m.connection(new Sdp.Connection("IN", addrType, host));
            for (int i = 0; i < candidates.size(); i++) {
                InetSocketAddress c = candidates.get(i);
                m.candidates().add(Sdp.Candidate.host(Integer.toString(i + 1), Sdp.Candidate.hostPriority(65535 - i),
                        c.getAddress().getHostAddress(), c.getPort()));
            }
            m.endOfCandidates(true);
            m.iceUfrag(credentials.ufrag()).icePwd(credentials.pwd());
            m.fingerprints().add(fingerprint);
            m.setup(Sdp.Setup.ACTPASS);
            m.mid(s.mid());
            m.direction(s.direction());
            m.rtcpMux(true).rtcpRsize(true);
            if (s.kind().equals("audio")) {
                m.formats().add(Integer.toString(PT_OPUS));
                m.extmaps().add(new Sdp.Extmap(1, null, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", null));
                m.extmaps().add(new Sdp.Extmap(3, null,
                        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", null));
                m.extmaps().add(new Sdp.Extmap(4, null, "urn:ietf:params:rtp-hdrext:sdes:mid", null));
                m.rtpMaps().add(new Sdp.RtpMap(PT_OPUS, "opus", 48000, 2));
                m.rtcpFbs().add(new Sdp.RtcpFb(PT_OPUS, "transport-cc", null));
                m.fmtps().add(new Sdp.Fmtp(PT_OPUS, "minptime=10;useinbandfec=1"));
            } else {
                VideoFormat f = s.format();
                m.formats().add(Integer.toString(f.payloadType()));
                m.formats().add(Integer.toString(f.rtxPayloadType()));
                m.extmaps().add(new Sdp.Extmap(2, null, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", null));
                m.extmaps().add(new Sdp.Extmap(3, null,
                        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", null));
                m.extmaps().add(new Sdp.Extmap(4, null, "urn:ietf:params:rtp-hdrext:sdes:mid", null));
                m.rtpMaps().add(new Sdp.RtpMap(f.payloadType(), f.encoding(), 90000, 0));
                for (String fb : List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli")) {
                    int sp = fb.indexOf(' ');
                    m.rtcpFbs().add(new Sdp.RtcpFb(f.payloadType(), sp < 0 ? fb : fb.substring(0, sp), sp < 0 ? null : fb.substring(sp + 1)));
                }
                if (f.fmtp() != null && !f.fmtp().isBlank()) m.fmtps().add(new Sdp.Fmtp(f.payloadType(), f.fmtp()));
                m.rtpMaps().add(new Sdp.RtpMap(f.rtxPayloadType(), "rtx", 90000, 0));
                m.fmtps().add(new Sdp.Fmtp(f.rtxPayloadType(), "apt=" + f.payloadType()));
            }
            SdpAnswerBuilder.SendStream st = s.stream();
            if (st != null && s.direction().sends()) {
                m.msids().add(new Sdp.Msid(st.streamId(), st.trackId()));
                if (st.rtxSsrc() >= 0) {
                    m.ssrcGroups().add(new Sdp.SsrcGroup("FID", List.of(st.ssrc(), st.rtxSsrc())));
                }
                for (long ssrc : st.rtxSsrc() >= 0 ? List.of(st.ssrc(), st.rtxSsrc()) : List.of(st.ssrc())) {
                    m.ssrcs().add(new Sdp.Ssrc(ssrc, "cname", st.cname()));
                    m.ssrcs().add(new Sdp.Ssrc(ssrc, "msid", st.streamId() + " " + st.trackId()));
                }
            }
            sd.media().add(m);
        }
        return sd;
    }
}
