package dev.chorus.turn.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.turn.policy.RelayPeerPolicy;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TurnConfigTest {
    static final Map<String, String> MINIMAL = Map.of("turn.secrets", "s1-0123456789abcdef,s2-0123456789abcdef",
            "turn.relay-address", "192.0.2.10");

    @Test
    void readsKeysAndKeepsSecretsOutOfToString() {
        var p = new java.util.HashMap<>(MINIMAL);
        p.putAll(Map.of("turn.port", "3479", "turn.relay-ports", "50000-50100", "turn.quota.allocations-per-user", "3",
                "turn.policy.allow", "127.0.0.0/8, ::1/128", "turn.policy.media-addresses", "192.0.2.20",
                "turn.legacy-channel-range", "true"));
        TurnConfig c = TurnConfig.fromProperties(p);
        assertThat(c.port()).isEqualTo(3479);
        assertThat(c.tlsPort()).isEqualTo(5349);
        assertThat(c.secrets()).hasSize(2);
        assertThat(c.settings().relayPortMin()).isEqualTo(50000);
        assertThat(c.settings().maxAllocationsPerUser()).isEqualTo(3);
        assertThat(c.settings().legacyChannelRange()).isTrue();
        assertThat(c.allow()).hasSize(2);
        assertThat(c.toString()).doesNotContain("s1-0123456789abcdef").doesNotContain("s2-");
        RelayPeerPolicy policy = c.peerPolicy(Set.of(3479));
        assertThat(policy.check(new byte[] {(byte) 192, 0, 2, 20}, 4000)).isEqualTo(RelayPeerPolicy.Verdict.ALLOWED);
        assertThat(policy.check(new byte[] {8, 8, 8, 8}, 4000)).isEqualTo(RelayPeerPolicy.Verdict.NOT_MEDIA);
    }

    @Test
    void refusesTyposMissingKeysAndHostnames() {
        var typo = new java.util.HashMap<>(MINIMAL);
        typo.put("turn.polcy.allow", "0.0.0.0/0");
        assertThatThrownBy(() -> TurnConfig.fromProperties(typo)).hasMessageContaining("turn.polcy.allow");
        assertThatThrownBy(() -> TurnConfig.fromProperties(Map.of("turn.relay-address", "192.0.2.1")))
                .hasMessageContaining("turn.secrets");
        var host = new java.util.HashMap<>(MINIMAL);
        host.put("turn.relay-address", "example.com");
        assertThatThrownBy(() -> TurnConfig.fromProperties(host)).isInstanceOf(IllegalArgumentException.class);
        var v6relay = new java.util.HashMap<>(MINIMAL);
        v6relay.put("turn.relay-address", "2001:db8::1");
        assertThatThrownBy(() -> TurnConfig.fromProperties(v6relay)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ownAddressesIncludeInterfacesWhenBoundToTheWildcard() throws Exception {
        TurnConfig c = TurnConfig.defaults(InetAddress.getByName("0.0.0.0"), InetAddress.getByName("192.0.2.10"),
                java.util.List.of("a-long-enough-secret-0123"));
        RelayPeerPolicy p = c.peerPolicy(Set.of(3478));
        assertThat(p.check(new byte[] {127, 0, 0, 1}, 3478)).isEqualTo(RelayPeerPolicy.Verdict.OWN_PORT);
        assertThat(p.check(new byte[] {(byte) 192, 0, 2, 10}, 3478)).isEqualTo(RelayPeerPolicy.Verdict.OWN_PORT);
    }

    @Test
    void readsIpv6RelayPeerScopeAndStreamLimits() {
        var p = new java.util.HashMap<>(MINIMAL);
        p.putAll(Map.of("turn.relay-address-v6", "2001:db8::10", "turn.policy.media-addresses", "10.0.0.5",
                "turn.policy.peers", "public", "turn.max-connections-per-source", "4", "turn.unauthenticated-timeout", "3"));
        TurnConfig c = TurnConfig.fromProperties(p);
        assertThat(c.settings().relayAddressV6().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:10");
        assertThat(c.publicPeers()).isTrue();
        assertThat(c.maxStreamConnectionsPerSource()).isEqualTo(4);
        assertThat(c.unauthenticatedTimeoutSeconds()).isEqualTo(3);
        RelayPeerPolicy policy = c.peerPolicy(Set.of(3478));
        assertThat(policy.check(new byte[] {10, 0, 0, 5}, 4000)).as("the SFU's private address").isEqualTo(RelayPeerPolicy.Verdict.ALLOWED);
        assertThat(policy.check(new byte[] {8, 8, 8, 8}, 4000)).isEqualTo(RelayPeerPolicy.Verdict.ALLOWED);
        assertThat(policy.check(new byte[] {10, 0, 0, 6}, 4000)).isEqualTo(RelayPeerPolicy.Verdict.SPECIAL_RANGE);

        p.put("turn.policy.peers", "media");
        assertThat(TurnConfig.fromProperties(p).peerPolicy(Set.of(3478)).check(new byte[] {8, 8, 8, 8}, 4000))
                .isEqualTo(RelayPeerPolicy.Verdict.NOT_MEDIA);
        p.put("turn.policy.peers", "everyone");
        assertThatThrownBy(() -> TurnConfig.fromProperties(p)).hasMessageContaining("turn.policy.peers");
        p.put("turn.policy.peers", "media");
        p.put("turn.relay-address-v6", "192.0.2.1");
        assertThatThrownBy(() -> TurnConfig.fromProperties(p)).isInstanceOf(IllegalArgumentException.class);
    }
}
