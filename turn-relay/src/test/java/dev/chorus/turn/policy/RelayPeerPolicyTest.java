package dev.chorus.turn.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.turn.policy.RelayPeerPolicy.Verdict;
import dev.chorus.common.net.AddressRange;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SECURITY-CHECKLIST 46: loopback, private, link-local, multicast, metadata and own ports, in every encoding. */
class RelayPeerPolicyTest {
    static final RelayPeerPolicy DEFAULTS = RelayPeerPolicy.defaults(Set.of(3478, 5349));

    /** The bytes as written: IPv6 forms stay 16 bytes even where Java would make an Inet4Address. */
    static byte[] ip(String literal) {
        byte[] b = AddressRange.literal(literal);
        if (b == null) throw new AssertionError("not a literal: " + literal);
        return b;
    }

    static byte[] v6(String literal) {
        return ip(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // loopback in every encoding that fits in XOR-PEER-ADDRESS
            "127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001",
            "::127.0.0.1", "::7f00:1", "0::7f00:0001", "::ffff:0:127.0.0.1", "::ffff:0:7f00:1",
            "64:ff9b::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:0:0:0:0:7f00:1", "64:ff9b:1::7f00:1",
            "64:ff9b:1:7f00:1::", "2002:7f00:1::", "2002:7f00:0001:0:0:0:0:1", "2001:0:7f00:1::",
            "2001:0:102:304:0:0:80ff:fffe", "fe80::5efe:127.0.0.1", "2a00:1450::200:5efe:7f00:1",
            "2a00:1450::5efe:7f00:1", "::", "0.0.0.0", "0.1.2.3",
            // metadata endpoints
            "169.254.169.254", "::ffff:169.254.169.254", "::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::",
            "2001:0:a9fe:a9fe::", "2001:0:102:304::5601:5601", "fd00:ec2::254", "fd00:ec2:0:0:0:0:0:254",
            "100.100.100.200", "::ffff:100.100.100.200", "168.63.129.16", "169.254.170.2", "192.0.0.192",
            // private, shared, link-local, multicast, broadcast, reserved, documentation, benchmarking
            "10.0.0.1", "::ffff:10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "64:ff9b::c0a8:101",
            "100.64.0.1", "169.254.1.1", "fe80::1", "fe80::1:2:3:4", "febf::1", "fc00::1", "fd12:3456::1",
            "224.0.0.1", "239.255.255.250", "ff02::1", "ff05::1:3", "255.255.255.255", "240.0.0.1",
            "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1", "2001:db8::1", "3fff::1", "fec0::1",
            "100::1", "2001:10::1", "192.88.99.1", "2002:c0a8:101::1", "2002:a00:1::"})
    void specialAddressesAreRefusedInEveryEncoding(String literal) {
        assertThat(DEFAULTS.check(literal.contains(":") ? v6(literal) : ip(literal), 4000))
                .as(literal).isNotEqualTo(Verdict.ALLOWED);
        assertThat(DEFAULTS.check(literal.contains(":") ? v6(literal) : ip(literal), -1))
                .as(literal + " (permission)").isNotEqualTo(Verdict.ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2a00:1450:4001::1",
            "2002:808:808::1", "172.32.0.1", "100.128.0.1", "11.0.0.1"})
    void publicAddressesAreAllowed(String literal) {
        assertThat(DEFAULTS.check(literal.contains(":") ? v6(literal) : ip(literal), 4000)).as(literal).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void allowListOpensLoopbackButNeverTheServersOwnPorts() {
        RelayPeerPolicy p = new RelayPeerPolicy(List.of(AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128")), List.of(), List.of(),
                List.of(ip("192.0.2.10")), Set.of(3478, 5349));
        assertThat(p.check(ip("127.0.0.1"), 3480)).isEqualTo(Verdict.ALLOWED);
        assertThat(p.check(v6("::ffff:127.0.0.1"), 3480)).isEqualTo(Verdict.ALLOWED);
        assertThat(p.check(ip("127.0.0.1"), 3478)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(v6("::ffff:127.0.0.1"), 5349)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(v6("64:ff9b::7f00:1"), 3478)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(v6("::1"), 3478)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(ip("0.0.0.0"), 3478)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(ip("192.0.2.10"), 3478)).isEqualTo(Verdict.OWN_PORT);
        assertThat(p.check(ip("10.0.0.1"), 3480)).as("allow-list is not blanket").isEqualTo(Verdict.SPECIAL_RANGE);
        assertThat(p.check(ip("127.0.0.1"), 0)).isEqualTo(Verdict.BAD_PORT);
    }

    @Test
    void denyListBeatsAllowListAndMediaOnlyModeRestrictsPeers() {
        RelayPeerPolicy p = new RelayPeerPolicy(List.of(AddressRange.parse("127.0.0.0/8")), List.of(AddressRange.parse("127.0.0.5/32"), AddressRange.parse("9.9.0.0/16")),
                List.of(), List.of(), Set.of());
        assertThat(p.check(ip("127.0.0.5"), 4000)).isEqualTo(Verdict.DENY_LIST);
        assertThat(p.check(v6("::ffff:9.9.1.1"), 4000)).isEqualTo(Verdict.DENY_LIST);
        RelayPeerPolicy media = new RelayPeerPolicy(List.of(), List.of(), List.of(ip("5.6.7.8")), List.of(), Set.of());
        assertThat(media.check(ip("5.6.7.8"), 40000)).isEqualTo(Verdict.ALLOWED);
        assertThat(media.check(v6("::ffff:5.6.7.8"), 40000)).isEqualTo(Verdict.ALLOWED);
        assertThat(media.check(ip("8.8.8.8"), 40000)).isEqualTo(Verdict.NOT_MEDIA);
    }

    /** Issue 13 defect 3 / issue 15 finding 12: the SFU's own media address passes even when private. */
    @Test
    void theSfusPrivateMediaAddressIsAllowedAndMediaOnlyRefusesEveryOtherPeer() {
        RelayPeerPolicy mediaOnly = new RelayPeerPolicy(List.of(), List.of(), List.of(ip("10.20.30.40")), true,
                List.of(ip("10.20.30.40")), Set.of(3478));  // the SFU and the relay on one host
        assertThat(mediaOnly.check(ip("10.20.30.40"), 10000)).isEqualTo(Verdict.ALLOWED);
        assertThat(mediaOnly.check(v6("::ffff:10.20.30.40"), 10000)).isEqualTo(Verdict.ALLOWED);
        assertThat(mediaOnly.check(ip("10.20.30.40"), -1)).isEqualTo(Verdict.ALLOWED);
        assertThat(mediaOnly.check(ip("10.20.30.41"), 10000)).isEqualTo(Verdict.NOT_MEDIA);
        assertThat(mediaOnly.check(ip("8.8.8.8"), 10000)).as("a public peer").isEqualTo(Verdict.NOT_MEDIA);
        assertThat(mediaOnly.check(ip("10.20.30.40"), 3478)).as("never its own ports").isNotEqualTo(Verdict.ALLOWED);

        RelayPeerPolicy wider = new RelayPeerPolicy(List.of(), List.of(AddressRange.parse("9.9.9.0/24")),
                List.of(ip("10.20.30.40")), false, List.of(), Set.of(3478));
        assertThat(wider.check(ip("10.20.30.40"), 10000)).isEqualTo(Verdict.ALLOWED);
        assertThat(wider.check(ip("8.8.8.8"), 10000)).as("public peers for p2p").isEqualTo(Verdict.ALLOWED);
        assertThat(wider.check(ip("10.20.30.41"), 10000)).isEqualTo(Verdict.SPECIAL_RANGE);
        assertThat(wider.check(ip("9.9.9.9"), 10000)).isEqualTo(Verdict.DENY_LIST);
    }
}
