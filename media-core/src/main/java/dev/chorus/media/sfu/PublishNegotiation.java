package dev.chorus.media.sfu;

import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.rtp.SsrcFilter;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpNegotiationException;
import dev.chorus.media.sdp.SdpParseException;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.simulcast.SimulcastOffer;
import dev.chorus.media.simulcast.VideoCodec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Offer/answer of a participant's publish direction, sans-IO: text and values in, values out; no worker state, no
 * sockets. {@link #read} (parsing the client's offer, the costly and attacker-controlled part) runs on the caller's
 * thread before anything is handed to the worker; {@link #answer} is a pure function of the offer, the rights and
 * the transport's credentials, and the worker only applies its {@link Plan}.
 */
final class PublishNegotiation {
    private PublishNegotiation() { }

    /** A sending section of the offer, the kind it publishes and its simulcast layers (null: one stream). */
    record Section(MediaDescription offered, TrackKind kind, SimulcastOffer simulcast) { }

    /** The client's offer, parsed and classified; immutable once built (the worker only reads it). */
    record Offer(SessionDescription description, List<Section> sections, String remoteUfrag, Fingerprint fingerprint) { }

    /** What one accepted section publishes. */
    record TrackSpec(String mid, TrackKind kind, int payloadType, int rtxPayloadType, int clockRate, long ssrc,
                     long rtxSsrc, SimulcastOffer simulcast, VideoCodec codec, String fmtp) { }

    /** The answer and what the worker applies: tracks, the SSRC filter, the negotiated header extensions. */
    record Plan(SessionDescription answer, List<TrackSpec> tracks, SsrcFilter ssrcFilter,
                HeaderExtensionMap extensions) { }

    /** Caller thread: parses and classifies the offer. Audio sections are AUDIO; video ones VIDEO unless marked. */
    static Offer read(String offerSdp, Map<String, TrackKind> kinds) {
        SessionDescription offer;
        try {
            offer = SdpParser.parse(offerSdp);
        } catch (SdpParseException e) {
            throw new SfuException(SfuException.Code.BAD_SDP, "publish offer: " + e.getMessage());
        }
        List<Section> sections = new ArrayList<>();
        for (MediaDescription m : offer.media()) {
            if (m.isRejected() || m.mid() == null || !m.effectiveDirection().sends()) continue;
            TrackKind kind;
            if (m.media().equals("audio")) {
                kind = TrackKind.AUDIO;
                if (kinds.getOrDefault(m.mid(), TrackKind.AUDIO) != TrackKind.AUDIO) {
                    throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid() + " is audio");
                }
            } else if (m.media().equals("video")) {
                kind = kinds.getOrDefault(m.mid(), TrackKind.VIDEO);
                if (kind == TrackKind.AUDIO) throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid() + " is video");
            } else {
                continue;
            }
            sections.add(new Section(m, kind, simulcast(m)));
        }
        MediaDescription first = offer.media().stream().filter(m -> !m.isRejected()).findFirst()
                .orElseThrow(() -> new SfuException(SfuException.Code.BAD_SDP, "no media section"));
        String ufrag = offer.iceUfrag(first);
        List<Sdp.Fingerprint> fps = offer.fingerprints(first);
        if (ufrag == null || fps.isEmpty()) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "offer lacks ICE ufrag or fingerprint");
        }
        return new Offer(offer, List.copyOf(sections), ufrag, fingerprint(fps.get(0)));
    }

    /**
     * Issue 12: a video section's simulcast (RFC 8853 / 8851), layers by rid (VP8, VP9 or H.264); refused with a reason the SFU
     * cannot forward (alternatives, more than {@link SimulcastOffer#MAX_LAYERS} layers, no rid extension).
     */
    private static SimulcastOffer simulcast(MediaDescription m) {
        if (!m.media().equals("video")) return null;
        try {
            return SimulcastOffer.of(m);
        } catch (IllegalArgumentException e) {
            throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid() + ": " + e.getMessage());
        }
    }

    static Fingerprint fingerprint(Sdp.Fingerprint fp) {
        try {
            return Fingerprint.parseSdp(fp.hashFunction() + " " + fp.value());
        } catch (RuntimeException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "unsupported fingerprint");
        }
    }

    /** SECURITY-CHECKLIST 20: a kind not granted, or too many tracks, refuses the whole offer; nothing changes. */
    static void checkRights(Offer offer, MediaRights rights) {
        for (Section s : offer.sections()) {
            if (!rights.mayPublish(s.kind())) {
                throw new SfuException(SfuException.Code.PUBLISH_NOT_ALLOWED,
                        "publishing " + s.kind().name().toLowerCase(Locale.ROOT) + " is not allowed");
            }
        }
        if (offer.sections().size() > rights.maxTracks()) {
            throw new SfuException(SfuException.Code.TOO_MANY_TRACKS,
                    offer.sections().size() + " tracks, at most " + rights.maxTracks() + " allowed");
        }
    }

    /** The answer: recvonly for what the client sends, inactive otherwise; the bitrate cap as b=AS/TIAS. */
    static Plan answer(Offer offer, MediaRights rights, IceCredentials credentials, Sdp.Fingerprint ours,
                       List<InetSocketAddress> candidates) {
        checkRights(offer, rights);
        SessionDescription sd = offer.description();
        SessionDescription answer;
        try {
            // Issue 12: one video codec per section, the publisher's first that the SFU forwards (VP8, VP9 profile 0,
            // H.264 packetization-mode 1: its codecPreferences choose); subscribers are offered the same one.
            SdpAnswerBuilder builder = new SdpAnswerBuilder(sd, credentials, ours).codecs("opus", "VP8", "VP9", "H264")
                    .videoFormats((encoding, fmtp) -> VideoCodec.of(encoding, fmtp) != null).oneVideoFormat(true)
                    .simulcast(true)
                    .extensions(acceptedExtensions(sd)).dataChannels(DataNegotiation.MAX_MESSAGE_SIZE);
            for (InetSocketAddress c : candidates) builder.candidate(c);
            answer = builder.build();
        } catch (SdpNegotiationException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, e.getMessage());
        } catch (IllegalStateException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "no media candidates");
        }
        for (int i = 0; i < answer.media().size(); i++) {
            MediaDescription am = answer.media().get(i);
            MediaDescription om = sd.media().get(i);
            if (am.isRejected() || DataNegotiation.isData(am)) continue;
            am.direction(om.effectiveDirection().sends() ? Sdp.Direction.RECVONLY : Sdp.Direction.INACTIVE);
            if (rights.maxKbps() > 0 && am.media().equals("video")) {
                am.bandwidths().add("AS:" + rights.maxKbps());
                am.bandwidths().add("TIAS:" + rights.maxKbps() * 1000L);
            }
        }
        List<TrackSpec> tracks = new ArrayList<>();
        for (Section s : offer.sections()) {
            MediaDescription am = answer.mediaByMid(s.offered().mid()).orElse(null);
            if (am == null || am.isRejected()) continue;
            TrackSpec spec = trackSpec(s, am);
            if (spec != null) tracks.add(spec);
        }
        // SSRC-less simulcast: each layer's media and RTX SSRC is learned from its first packet carrying mid + rid.
        int learnable = 0;
        for (TrackSpec t : tracks) if (t.simulcast() != null) learnable += 2 * t.simulcast().layers();
        return new Plan(answer, List.copyOf(tracks), SsrcFilter.fromDescription(sd, learnable),
                HeaderExtensionMap.of(answer));
    }

    /**
     * The header extensions the answer accepts: those the SFU reads, and every other one it can forward (a
     * subscriber that negotiates it too receives it byte-equal under its own id: issue 11).
     */
    static Set<String> acceptedExtensions(SessionDescription offer) {
        Set<String> uris = new HashSet<>(SdpAnswerBuilder.DEFAULT_EXTENSIONS);
        for (MediaDescription m : offer.media()) {
            for (Sdp.Extmap e : m.extmaps()) {
                if (e.attributes() == null && SectionExtensions.forwardable(e.uri())) uris.add(e.uri());
            }
        }
        return uris;
    }

    private static TrackSpec trackSpec(Section s, MediaDescription am) {
        int pt = -1;
        int rtxPt = -1;
        int clock = s.kind() == TrackKind.AUDIO ? 48000 : 90000;
        VideoCodec codec = null;
        String fmtp = null;
        for (Sdp.RtpMap r : am.rtpMaps()) {
            if (pt >= 0) break;
            String params = am.fmtp(r.payloadType()).map(Sdp.Fmtp::parameters).orElse(null);
            VideoCodec video = am.media().equals("video") ? VideoCodec.of(r.encoding(), params) : null;
            if (video != null || r.encoding().toLowerCase(Locale.ROOT).equals("opus")) {
                pt = r.payloadType();
                clock = r.clockRate();
                codec = video;
                fmtp = params;
            }
        }
        if (pt < 0) return null;
        for (Sdp.RtpMap r : am.rtpMaps()) {
            if (r.encoding().equalsIgnoreCase("rtx")) {
                String params = am.fmtp(r.payloadType()).map(Sdp.Fmtp::parameters).orElse("");
                if (params.replace(" ", "").contains("apt=" + pt)) rtxPt = r.payloadType();
            }
        }
        long primary = -1;
        long rtx = -1;
        MediaDescription om = s.offered();
        for (Sdp.SsrcGroup g : om.ssrcGroups()) {
            if (g.semantics().equals("FID") && g.ssrcs().size() == 2) {
                primary = g.ssrcs().get(0);
                rtx = g.ssrcs().get(1);
            }
        }
        if (primary < 0 && !om.ssrcIds().isEmpty()) primary = om.ssrcIds().get(0);
        SimulcastOffer simulcast = s.simulcast() != null && am.simulcast() != null ? s.simulcast() : null;
        if (simulcast != null) {
            primary = -1;
            rtx = -1;
        }
        return new TrackSpec(om.mid(), s.kind(), pt, rtxPt, clock, primary, rtx, simulcast, codec, fmtp);
    }
}
