package dev.chorus.signaling.call;

import dev.chorus.signaling.ws.ParticipantSession;

import java.util.List;
import java.util.Map;

/**
 * The {@code iceServers} a participant gets in {@code joined} (and again in {@code refreshed}): entries shaped like
 * WebRTC's {@code RTCIceServer} ({@code urls}, {@code username}, {@code credential}). The server module backs this
 * with the TURN relay's credential issuer; signaling does not know TURN's internals. May block briefly (it audits).
 */
@FunctionalInterface
public interface IceServerProvider {
    /** No STUN/TURN servers: the SFU is ICE-lite with host candidates, which is enough on open networks. */
    IceServerProvider NONE = s -> List.of();

    List<Map<String, Object>> iceServers(ParticipantSession session);

    /**
     * When credentials in {@code issued} (an answer of {@link #iceServers}) stop working, or null if they do not
     * expire: a relayed call then needs new ones before that instant ({@link IceServerRenewal}).
     */
    default java.time.Instant expiresAt(List<Map<String, Object>> issued) {
        return null;
    }
}
