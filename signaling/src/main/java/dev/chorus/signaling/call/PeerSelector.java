package dev.chorus.signaling.call;

import dev.chorus.media.datarelay.DataRights;
import dev.chorus.media.datarelay.SenderPolicy;
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
        } else if (admitsEveryone(p)) {
            policy = SubscribePolicy.ALL;
        } else {
            policy = track -> admits(p, peers.apply(track.participantId()));
        }
        int maxTracks = p.maxTracks() < 0 ? MediaRights.DEFAULT_MAX_TRACKS : p.maxTracks();
        int maxKbps = Math.max(0, p.maxKbps());
        return new MediaRights(audio, video, screen, subscribe, policy, maxTracks, maxKbps);
    }

    /**
     * Data-message rights from the grant alone (no live authorization installed): {@code data:publish},
     * {@code data:subscribe}, and from whom by the same peer policy as media.
     */
    static DataRights dataRights(ParticipantSession s, Function<String, Peer> peers) {
        boolean subscribe = s.hasRight(Scope.DATA_SUBSCRIBE.wire());
        PeerPolicy p = s.policy();
        SenderPolicy from;
        if (!subscribe) {
            from = SenderPolicy.NONE;
        } else if (admitsEveryone(p)) {
            from = SenderPolicy.ALL;
        } else {
            from = sender -> admits(p, peers.apply(sender));
        }
        return new DataRights(s.hasRight(Scope.DATA_PUBLISH.wire()), subscribe, from);
    }

    /** No policy claim, or empty lists: every publisher in the room. */
    static boolean admitsEveryone(PeerPolicy p) {
        return !p.present() || p.subscribeAllow().isEmpty() && p.subscribeDeny().isEmpty();
    }

    /** The policy admits {@code peer} (null: not in the room): a deny match wins; a non-empty allow list must match. */
    static boolean admits(PeerPolicy p, Peer peer) {
        if (peer == null || matches(p.subscribeDeny(), peer)) return false;
        return p.subscribeAllow().isEmpty() || matches(p.subscribeAllow(), peer);
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
