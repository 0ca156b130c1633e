package dev.chorus.signaling.call;

import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.TrackInfo;
import dev.chorus.media.sfu.TrackKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The peer-policy selectors as the SFU evaluates them (sub:/grp:, deny wins, exact matches only). */
class PeerSelectorTest {
    static final Map<String, PeerSelector.Peer> PEERS = Map.of(
            "p1", new PeerSelector.Peer("alice", List.of("hosts")),
            "p2", new PeerSelector.Peer("bob", List.of("guests")),
            "p3", new PeerSelector.Peer("alice2", List.of()));

    static TrackInfo track(String pid) {
        return new TrackInfo(pid, "0", TrackKind.VIDEO, false);
    }

    @Test
    void selectorsMatchExactIdentitiesAndGroups() {
        PeerSelector.Peer alice = PEERS.get("p1");
        assertThat(PeerSelector.matches(List.of("sub:alice"), alice)).isTrue();
        assertThat(PeerSelector.matches(List.of("sub:alic"), alice)).isFalse();
        assertThat(PeerSelector.matches(List.of("sub:alice2"), alice)).isFalse();
        assertThat(PeerSelector.matches(List.of("grp:hosts"), alice)).isTrue();
        assertThat(PeerSelector.matches(List.of("grp:host"), alice)).isFalse();
        assertThat(PeerSelector.matches(List.of("alice", "hosts"), alice)).as("no prefix, no match").isFalse();
    }

    @Test
    void denyWinsAndAnAllowListAdmitsOnlyWhatItMatches() {
        var policy = dev.chorus.signaling.auth.PeerPolicy.of(List.of("grp:hosts", "sub:bob"), List.of("sub:bob"), 3, 500);
        MediaRights r = PeerSelector.rightsFor(true, true, false, true, policy, PEERS::get);
        assertThat(r.mayReceive(track("p1"))).isTrue();   // allowed by group
        assertThat(r.mayReceive(track("p2"))).isFalse();  // allowed and denied: deny wins
        assertThat(r.mayReceive(track("p3"))).isFalse();  // not in the allow list
        assertThat(r.mayReceive(track("unknown"))).isFalse();
        assertThat(r.maxTracks()).isEqualTo(3);
        assertThat(r.maxKbps()).isEqualTo(500);
        assertThat(r.publishScreen()).isFalse();
    }

    @Test
    void withoutSubscribeNothingIsReceivedAndWithoutPolicyEverything() {
        MediaRights none = PeerSelector.rightsFor(true, true, false, false,
                dev.chorus.signaling.auth.PeerPolicy.UNRESTRICTED, PEERS::get);
        assertThat(none.mayReceive(track("p1"))).isFalse();
        MediaRights all = PeerSelector.rightsFor(false, false, false, true,
                dev.chorus.signaling.auth.PeerPolicy.UNRESTRICTED, PEERS::get);
        assertThat(all.mayReceive(track("p2"))).isTrue();
        assertThat(all.maxTracks()).isEqualTo(MediaRights.DEFAULT_MAX_TRACKS);
        assertThat(all.maxKbps()).isZero();
        assertThat(all.mayPublish(TrackKind.AUDIO)).isFalse();
    }
}
