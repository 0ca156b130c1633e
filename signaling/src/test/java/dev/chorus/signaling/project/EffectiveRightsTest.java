package dev.chorus.signaling.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.auth.PeerPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The subscribe predicate: token policy (allow/deny over sub:/grp:) ∩ ACL, in ACL mode and in dev mode. */
class EffectiveRightsTest {
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    static final Set<Scope> SUB = Set.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE);
    static final EffectiveRights.Publisher CALLER = new EffectiveRights.Publisher("caller-9", List.of("customers"));
    static final EffectiveRights.Publisher AGENT = new EffectiveRights.Publisher("agent-2", List.of("agents"));

    static AclEntry entry(String sub, String pub, String kind, String track, AclEntry.Effect e) {
        return new AclEntry("acme", sub, pub, kind, track, e, T);
    }

    static boolean may(Set<Scope> scopes, PeerPolicy p, EffectiveRights.Publisher pub, String kind, List<AclEntry> acl,
                       boolean aclMode) {
        return EffectiveRights.maySubscribe("agent-1", scopes, p, pub, kind, "0", acl, aclMode);
    }

    @Test
    void aclModeShowsOnlyWhatThePolicyOrAGrantAllows() {
        PeerPolicy agentsOnly = PeerPolicy.of(List.of("grp:agents"), List.of(), -1, -1);
        assertThat(may(SUB, agentsOnly, AGENT, "video", List.of(), true)).isTrue();
        assertThat(may(SUB, agentsOnly, CALLER, "video", List.of(), true)).isFalse();
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", List.of(), true)).isFalse();
        // a grant opens one publisher, optionally one kind
        List<AclEntry> videoGrant = List.of(entry("agent-1", "caller-9", "video", "", AclEntry.Effect.ALLOW));
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", videoGrant, true)).isTrue();
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, CALLER, "audio", videoGrant, true)).isFalse();
        // grants are per subscriber
        assertThat(EffectiveRights.maySubscribe("agent-3", SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", "0",
                videoGrant, true)).isFalse();
    }

    @Test
    void denialsWinTokenDenyAclRevocationAndMissingSubscribeScope() {
        PeerPolicy allowSubDenyGrp = PeerPolicy.of(List.of("sub:caller-9"), List.of("grp:customers"), -1, -1);
        List<AclEntry> grant = List.of(entry("agent-1", "caller-9", "", "", AclEntry.Effect.ALLOW));
        assertThat(may(SUB, allowSubDenyGrp, CALLER, "video", grant, true)).isFalse();
        PeerPolicy allow = PeerPolicy.of(List.of("sub:caller-9"), List.of(), -1, -1);
        List<AclEntry> revoked = List.of(entry("agent-1", "caller-9", "", "", AclEntry.Effect.DENY));
        assertThat(may(SUB, allow, CALLER, "video", revoked, true)).isFalse();
        assertThat(may(SUB, allow, CALLER, "video", revoked, false)).isFalse();
        assertThat(may(Set.of(Scope.ROOM_JOIN), allow, CALLER, "video", grant, false)).isFalse();
        // a track-level grant beats a publisher-level revocation (more specific); equal specificity: deny wins
        List<AclEntry> mixed = List.of(entry("agent-1", "caller-9", "", "", AclEntry.Effect.DENY),
                entry("agent-1", "caller-9", "", "0", AclEntry.Effect.ALLOW));
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", mixed, true)).isTrue();
        assertThat(EffectiveRights.maySubscribe("agent-1", SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", "1", mixed,
                true)).isFalse();
        // an unknown publisher (left the room) is never visible
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, null, "video", List.of(), false)).isFalse();
    }

    @Test
    void devModeWithoutAclsLetsAnySubscriberReceive() {
        assertThat(may(SUB, PeerPolicy.UNRESTRICTED, CALLER, "video", List.of(), false)).isTrue();
        assertThat(may(Set.of(Scope.ROOM_JOIN), PeerPolicy.UNRESTRICTED, CALLER, "video", List.of(), false)).isFalse();
        // a token that names whom it may receive is held to it even without ACLs
        PeerPolicy agentsOnly = PeerPolicy.of(List.of("grp:agents"), List.of(), -1, -1);
        assertThat(may(SUB, agentsOnly, CALLER, "video", List.of(), false)).isFalse();
        assertThat(may(SUB, agentsOnly, AGENT, "video", List.of(), false)).isTrue();
        PeerPolicy denyOnly = PeerPolicy.of(List.of(), List.of("sub:caller-9"), -1, -1);
        assertThat(may(SUB, denyOnly, CALLER, "video", List.of(), false)).isFalse();
        assertThat(may(SUB, denyOnly, AGENT, "video", List.of(), false)).isTrue();
    }

    @Test
    void dataFollowsTheSamePolicyAndAclAsMediaUnderItsOwnScope() {
        Set<Scope> data = Set.of(Scope.ROOM_JOIN, Scope.DATA_SUBSCRIBE);
        PeerPolicy agentsOnly = PeerPolicy.of(List.of("grp:agents"), List.of(), -1, -1);
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, agentsOnly, AGENT, List.of(), true)).isTrue();
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, agentsOnly, CALLER, List.of(), true)).isFalse();
        // media:subscribe alone gives no data, data:subscribe alone gives no media
        assertThat(EffectiveRights.mayReceiveData("agent-1", SUB, agentsOnly, AGENT, List.of(), true)).isFalse();
        assertThat(may(data, agentsOnly, AGENT, "video", List.of(), true)).isFalse();
        // a publisher-level grant or revocation covers data; a grant for one media kind does not
        List<AclEntry> grant = List.of(entry("agent-1", "caller-9", "", "", AclEntry.Effect.ALLOW));
        List<AclEntry> videoGrant = List.of(entry("agent-1", "caller-9", "video", "", AclEntry.Effect.ALLOW));
        List<AclEntry> revoked = List.of(entry("agent-1", "agent-2", "", "", AclEntry.Effect.DENY));
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, PeerPolicy.UNRESTRICTED, CALLER, grant, true))
                .isTrue();
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, PeerPolicy.UNRESTRICTED, CALLER, videoGrant, true))
                .isFalse();
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, agentsOnly, AGENT, revoked, true)).isFalse();
        // dev mode (ACLs off): everyone, unless the token names whom; the sender must still be in the room
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, PeerPolicy.UNRESTRICTED, CALLER, List.of(), false))
                .isTrue();
        assertThat(EffectiveRights.mayReceiveData("agent-1", data, PeerPolicy.UNRESTRICTED, null, List.of(), false))
                .isFalse();
    }
}
