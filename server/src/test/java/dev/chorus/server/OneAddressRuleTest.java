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
 * condition (a join from inside is admitted), as a TURN allow-list entry (a peer inside is opened) and as a TURN
 * deny-list entry (a peer inside is refused) judges the address {@code 10.1.2.3} the same way however it is
 * written (IPv4, IPv4-mapped, IPv4-compatible, SIIT, NAT64, in hex or dotted form). Addresses that only embed
 * {@code 10.1.2.3} as a tunnel endpoint (6to4, Teredo, ISATAP, local NAT64) are other IPv6 hosts: not admitted by
 * a signaling rule (anyone with an IPv6 prefix can pick the ISATAP interface id {@code ::5efe:10.1.2.3}), yet
 * refused by the TURN deny rule, since relayed traffic may reach 10.1.2.3 through the tunnel (the TURN allow-list
 * only lifts refusals, so it is not an admission rule). Both planes use {@code dev.chorus.common.net.AddressRange} over {@code AddressForms}.
 */
class OneAddressRuleTest {
    static final String RULE = "10.0.0.0/8";

    static boolean signalingAllows(String source) {
        AccessConditions token = new AccessConditions(List.of(RULE), 0, null, null, null);
        RefusalReason r = AbacCheck.check(AccessPolicy.DEFAULT, token, source, 0, Instant.parse("2026-01-01T12:00:00Z"));
        assertThat(r).as(source).isIn(null, RefusalReason.ABAC_CIDR);
        return r == null;
    }

    /** The TURN allow-list opens a special-purpose range only for addresses inside the rule. */
    static boolean turnAllows(String peer) {
        RelayPeerPolicy p = new RelayPeerPolicy(List.of(AddressRange.parse(RULE)), List.of(), List.of(), List.of(), Set.of());
        return p.check(AddressRange.literal(peer), 40000) == RelayPeerPolicy.Verdict.ALLOWED;
    }

    static boolean turnDenies(String peer) {
        RelayPeerPolicy p = new RelayPeerPolicy(List.of(AddressRange.parse("0.0.0.0/0"), AddressRange.parse("::/0")),
                List.of(AddressRange.parse(RULE)), List.of(), List.of(), Set.of());
        return p.check(AddressRange.literal(peer), 40000) == RelayPeerPolicy.Verdict.DENY_LIST;
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "::ffff:10.1.2.3", "::ffff:a01:203", "::FFFF:A01:203", "[::ffff:10.1.2.3]",
            "::10.1.2.3", "::a01:203", "::ffff:0:10.1.2.3", "64:ff9b::10.1.2.3", "64:ff9b::a01:203"})
    void everyEncodingOfAnAddressInsideTheRuleIsInsideForSignalingAndForTurn(String address) {
        assertThat(signalingAllows(address)).as("signaling allow: " + address).isTrue();
        assertThat(turnAllows(address)).as("TURN allow: " + address).isTrue();
        assertThat(turnDenies(address)).as("TURN deny: " + address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b:1:a01:2:300::", "2002:a01:203::1", "2001:0:102:304:0:0:f5fe:fdfc",
            "fe80::5efe:10.1.2.3", "2a00:1450::200:5efe:a01:203", "2a00:1450::5efe:a01:203"})
    void anAddressThatOnlyEmbedsOneInsideIsNotAdmittedBySignalingAndIsRefusedByTheTurnDenyRule(String address) {
        assertThat(signalingAllows(address)).as("signaling allow: " + address).isFalse();
        assertThat(turnDenies(address)).as("TURN deny: " + address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"11.1.2.3", "::ffff:11.1.2.3", "::b01:203", "64:ff9b::b01:203", "2002:b01:203::1",
            "2001:0:102:304:0:0:f4fe:fdfc", "fe80::5efe:11.1.2.3"})
    void everyEncodingOfAnAddressOutsideTheRuleIsOutsideForSignalingAndForTurn(String address) {
        assertThat(signalingAllows(address)).as("signaling allow: " + address).isFalse();
        assertThat(turnDenies(address)).as("TURN deny: " + address).isFalse();
    }
}
