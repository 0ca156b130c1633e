package dev.chorus.signaling.p2p;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParseException;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.sfu.TrackKind;
import dev.chorus.signaling.ws.ProtocolError;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the server checks in the descriptions and candidates two p2p peers exchange, before forwarding them
 * untouched. It cannot see the media (DTLS runs end to end), so it judges what the peers <em>announce</em>:
 * <ul>
 *   <li>the kinds a description sends (audio/video sections that are {@code sendrecv}/{@code sendonly} with a
 *       non-zero port): each must be one the sender may publish and the receiver may receive;</li>
 *   <li>candidates, in the description and trickled: relayed ones only ({@code typ relay}), so neither peer ever
 *       learns the other's host or reflexive addresses, and all media crosses the relay whose policy
 *       reaches the partner only.</li>
 * </ul>
 * Sans-IO: text in, a verdict out.
 */
final class P2pDescriptions {
    private P2pDescriptions() {}

    /** The kinds {@code sdp} sends; refuses unparsable SDP and non-relayed candidates. */
    static Set<TrackKind> sendingKinds(String sdp) throws ProtocolError {
        SessionDescription d;
        try {
            d = SdpParser.parse(sdp);
        } catch (SdpParseException e) {
            throw new ProtocolError("bad_sdp", "The SDP could not be parsed or exceeds the limits.");
        }
        Set<TrackKind> kinds = EnumSet.noneOf(TrackKind.class);
        for (MediaDescription m : d.media()) {
            for (Sdp.Candidate c : m.candidates()) relayedOnly(c);
            Sdp.Direction dir = m.effectiveDirection();
            boolean sends = m.port() != 0 && (dir == Sdp.Direction.SENDRECV || dir == Sdp.Direction.SENDONLY);
            if (!sends) continue;
            switch (m.media()) {
                case "audio" -> kinds.add(TrackKind.AUDIO);
                case "video" -> kinds.add(TrackKind.VIDEO);
                default -> { } // data channels (m=application) carry no published media
            }
        }
        return kinds;
    }

    /** A trickled candidate ({@code RTCIceCandidate.candidate}); the empty string is the end of candidates. */
    static void checkCandidate(String candidate) throws ProtocolError {
        if (candidate.isEmpty()) return;
        try {
            relayedOnly(SdpParser.parseCandidate(candidate));
        } catch (SdpParseException e) {
            throw new ProtocolError("bad_candidate", "The candidate could not be parsed.");
        }
    }

    private static void relayedOnly(Sdp.Candidate c) throws ProtocolError {
        if (!"relay".equals(c.type())) {
            throw new ProtocolError("candidate_not_relayed",
                    "A p2p room forwards relayed candidates only (iceTransportPolicy \"relay\").");
        }
    }
}
