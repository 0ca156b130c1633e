package dev.chorus.signaling.call;

import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.SubscribePolicy;
import dev.chorus.signaling.auth.PeerPolicy;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.ws.ParticipantSession;

import java.util.List;
import java.util.function.Function;

/**
 * Turns a session's grant into the SFU's {@link MediaRights}: publish kinds from the {@code media:publish:*} scopes,
 * receiving from {@code media:subscribe}, and the token's peer policy ({@code policy.subscribe.allow/deny} over
 * {@code sub:<identity>} / {@code grp:<group>} selectors, {@code maxTracks}, {@code maxKbps}).
 *
 * <p>Policy semantics (ACL grants are a later issue): a deny match always wins; a non-empty allow list admits only
 * publishers it matches; without a {@code policy} claim, or with empty lists, every publisher in the room may be
 * received.
 */
public final class PeerSelector {
    private PeerSelector() {}

    /** Identity and groups of a publisher, looked up by participant id when a subscription is considered. */
    public record Peer(String identity, List<String> groups) {}

    public static MediaRights rights(ParticipantSession s, Function<String, Peer> peers) {
        return rightsFor(s.hasRight(Scope.PUBLISH_AUDIO.wire()), s.hasRight(Scope.PUBLISH_VIDEO.wire()),
                s.hasRight(Scope.PUBLISH_SCREEN.wire()), s.hasRight(Scope.SUBSCRIBE.wire()), s.policy(), peers);
    }

    static MediaRights rightsFor(boolean audio, boolean video, boolean screen, boolean subscribe, PeerPolicy p,
                                 Function<String, Peer> peers) {
        SubscribePolicy policy;
        if (!subscribe) {
            policy = SubscribePolicy.NONE;
        } else if (!p.present() || p.subscribeAllow().isEmpty() && p.subscribeDeny().isEmpty()) {
            policy = SubscribePolicy.ALL;
        } else {
            List<String> allow = p.subscribeAllow();
            List<String> deny = p.subscribeDeny();
            policy = track -> {
                Peer peer = peers.apply(track.participantId());
                if (peer == null) return false;
                if (matches(deny, peer)) return false;
                return allow.isEmpty() || matches(allow, peer);
            };
        }
        int maxTracks = p.maxTracks() < 0 ? MediaRights.DEFAULT_MAX_TRACKS : p.maxTracks();
        int maxKbps = Math.max(0, p.maxKbps());
        return new MediaRights(audio, video, screen, subscribe, policy, maxTracks, maxKbps);
    }

    static boolean matches(List<String> selectors, Peer peer) {
        for (String sel : selectors) {
            if (sel.startsWith("sub:") && sel.regionMatches(4, peer.identity(), 0, peer.identity().length())
                    && sel.length() == 4 + peer.identity().length()) {
                return true;
            }
            if (sel.startsWith("grp:") && peer.groups().contains(sel.substring(4))) return true;
        }
        return false;
    }
}
