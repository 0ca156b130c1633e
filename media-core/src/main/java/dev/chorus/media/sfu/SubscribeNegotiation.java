package dev.chorus.media.sfu;

import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.OneTransport;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpNegotiationException;
import dev.chorus.media.sdp.SdpOfferBuilder;
import dev.chorus.media.sdp.SdpParseException;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offer/answer of a participant's subscribe direction (the SFU offers), sans-IO: values in, text or values out; no
 * worker state, no sockets. {@link #read} (parsing the client's answer) runs on the caller's thread before anything
 * is handed to the worker; the worker checks the parsed answer against its outstanding offer ({@link #accept}) and
 * applies the result.
 */
final class SubscribeNegotiation {
    private SubscribeNegotiation() { }

    /** One section of an offer: its mid, media type, and what the SFU sends there ({@code null}: inactive). */
    record Section(String mid, boolean video, SdpAnswerBuilder.SendStream stream, List<Sdp.Extmap> extraExtensions,
                   SdpOfferBuilder.VideoFormat format) {
        Section(String mid, boolean video, SdpAnswerBuilder.SendStream stream, List<Sdp.Extmap> extraExtensions) {
            this(mid, video, stream, extraExtensions, SdpOfferBuilder.VP8);
        }
    }

    /** A parsed subscriber answer; the worker only reads it. */
    record Answer(SessionDescription description) { }

    /** A section the subscriber accepted to receive, the payload types it accepted there, its extensions. */
    record Receiving(String mid, List<String> formats, SectionExtensions extensions) {
        /** The subscriber accepted payload type {@code pt} (the codec offered there, or its RTX). */
        boolean accepts(int pt) {
            return formats.contains(Integer.toString(pt));
        }
    }

    /** An answer checked against the offer it answers. {@code fingerprint} is that of the first accepted
     * section (parsed only when a transport is opened). */
    record Accepted(String remoteUfrag, Sdp.Fingerprint fingerprint, Map<String, Receiving> receiving) { }

    /** Writes an offer of {@code sections} in order. */
    static String offer(IceCredentials credentials, Sdp.Fingerprint ours, List<InetSocketAddress> candidates,
                        long sessionId, long version, List<Section> sections) {
        SdpOfferBuilder b = new SdpOfferBuilder(credentials, ours).session(sessionId, version);
        for (InetSocketAddress c : candidates) b.candidate(c);
        for (Section s : sections) {
            Sdp.Direction dir = s.stream() != null ? Sdp.Direction.SENDONLY : Sdp.Direction.INACTIVE;
            if (s.video()) b.video(s.mid(), dir, s.stream(), s.format());
            else b.audio(s.mid(), dir, s.stream());
        }
        SessionDescription sd = b.build();
        for (Section s : sections) {
            if (!s.extraExtensions().isEmpty()) sd.mediaByMid(s.mid()).orElseThrow().extmaps().addAll(s.extraExtensions());
        }
        return SdpWriter.write(sd);
    }

    /** Caller thread: parses the answer. */
    static Answer read(String answerSdp) {
        try {
            return new Answer(SdpParser.parse(answerSdp));
        } catch (SdpParseException e) {
            throw new SfuException(SfuException.Code.BAD_SDP, "subscribe answer: " + e.getMessage());
        }
    }

    /**
     * Checks {@code answer} against the offered mids: every mid answered, at least one section accepted, ICE and
     * DTLS attributes present, the subscriber the DTLS client, the accepted sections bundled ({@link OneTransport}).
     */
    static Accepted accept(Answer parsed, List<String> offeredMids) {
        SessionDescription answer = parsed.description();
        MediaDescription first = null;
        for (String mid : offeredMids) {
            MediaDescription am = answer.mediaByMid(mid).orElse(null);
            if (am == null) throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer lacks mid " + mid);
            if (first == null && !am.isRejected()) first = am;
        }
        if (first == null) throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer rejects every section");
        String ufrag = answer.iceUfrag(first);
        List<Sdp.Fingerprint> fps = answer.fingerprints(first);
        Sdp.Setup setup = answer.setup(first);
        if (ufrag == null || fps.isEmpty()) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer lacks ICE ufrag or fingerprint");
        }
        if (setup != null && setup != Sdp.Setup.ACTIVE) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "the subscriber must be the DTLS client (setup:active)");
        }
        List<String> used = offeredMids.stream().filter(mid -> !answer.mediaByMid(mid).orElseThrow().isRejected()).toList();
        try {
            OneTransport.require(answer, used, "the answer");
        } catch (SdpNegotiationException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, e.getMessage());
        }
        Map<String, Receiving> receiving = new HashMap<>();
        for (String mid : used) {
            MediaDescription am = answer.mediaByMid(mid).orElseThrow();
            if (!am.effectiveDirection().receives()) continue;
            receiving.put(mid, new Receiving(mid, List.copyOf(am.formats()), SectionExtensions.of(am)));
        }
        return new Accepted(ufrag, fps.get(0), Map.copyOf(receiving));
    }
}
