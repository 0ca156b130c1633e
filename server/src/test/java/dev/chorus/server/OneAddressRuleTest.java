package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.common.net.AddressRange;
import dev.chorus.signaling.auth.AbacCheck;
import dev.chorus.signaling.auth.AccessConditions;
import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.turn.policy.RelayPeerPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One address rule means one thing in every plane: the rule {@code 10.0.0.0/8} as a signaling ABAC {@code cidr}
 * condition (a join from inside is admitted) and as a TURN deny-list entry (a peer inside is refused) judges the
 * same address the same way, however it is written.
 */
class OneAddressRuleTest {
    static final String RULE = "10.0.0.0/8";

    static boolean signalingRuleMatches(String source) {
        AccessConditions token = new AccessConditions(List.of(RULE), 0, null, null, null);
        RefusalReason r = AbacCheck.check(AccessPolicy.DEFAULT, token, source, 0, Instant.parse("2026-01-01T12:00:00Z"));
        assertThat(r).as(source).isIn(null, RefusalReason.ABAC_CIDR);
        return r == null;
    }

    static boolean turnRuleMatches(String peer) {
        RelayPeerPolicy p = new RelayPeerPolicy(List.of(AddressRange.parse("0.0.0.0/0"), AddressRange.parse("::/0")),
                List.of(AddressRange.parse(RULE)), List.of(), List.of(), Set.of());
        RelayPeerPolicy.Verdict v = p.check(AddressRange.literal(peer), 40000);
        assertThat(v).as(peer).isIn(RelayPeerPolicy.Verdict.ALLOWED, RelayPeerPolicy.Verdict.DENY_LIST);
        return v == RelayPeerPolicy.Verdict.DENY_LIST;
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "::ffff:10.1.2.3", "::ffff:a01:203", "::10.1.2.3", "::ffff:0:10.1.2.3",
            "64:ff9b::10.1.2.3", "64:ff9b:1:a01:2:300::", "2002:a01:203::1", "2001:0:102:304:0:0:f5fe:fdfc",
            "fe80::5efe:10.1.2.3", "2a00:1450::200:5efe:a01:203"})
    void everyEncodingOfAnAddressInsideTheRuleIsInsideForSignalingAndForTurn(String address) {
        assertThat(signalingRuleMatches(address)).as("signaling: " + address).isTrue();
        assertThat(turnRuleMatches(address)).as("TURN: " + address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"11.1.2.3", "::ffff:11.1.2.3", "::b01:203", "64:ff9b::b01:203", "2002:b01:203::1",
            "2001:0:102:304:0:0:f4fe:fdfc", "fe80::5efe:11.1.2.3", "2a00:1450::1"})
    void everyEncodingOfAnAddressOutsideTheRuleIsOutsideForSignalingAndForTurn(String address) {
        assertThat(signalingRuleMatches(address)).as("signaling: " + address).isFalse();
        assertThat(turnRuleMatches(address)).as("TURN: " + address).isFalse();
    }
}
