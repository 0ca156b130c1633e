package dev.chorus.signaling.project;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Addresses are compared in one canonical form (SECURITY-CHECKLIST: "convert before you compare"). */
class CidrTest {
    @Test
    void ipv4MappedAndCompatibleIpv6AreTheIpv4Address() {
        Cidr office = Cidr.parse("203.0.113.0/24");
        assertThat(office.contains("203.0.113.7")).isTrue();
        assertThat(office.contains("::ffff:203.0.113.7")).isTrue();
        assertThat(office.contains("::FFFF:cb00:7107")).isTrue();
        assertThat(office.contains("[::ffff:203.0.113.7]")).isTrue();
        assertThat(office.contains("::203.0.113.7")).isTrue();
        assertThat(office.contains("203.0.114.1")).isFalse();
        assertThat(Cidr.parse("::ffff:10.0.0.0/104").toString()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void ipv6BlocksZoneIdsAndBareAddresses() {
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertThat(v6.contains("2001:DB8:0:0::1")).isTrue();
        assertThat(v6.contains("2001:db9::1")).isFalse();
        assertThat(Cidr.parse("fe80::1").contains("fe80::1%eth0")).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains("127.0.0.1")).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains("::1")).isFalse();
        assertThat(Cidr.parse("::1/128").contains("::1")).isTrue();
    }

    @Test
    void nonLiteralsAndBadPrefixesAreRefusedWithoutLookups() {
        for (String bad : new String[] {"localhost", "example.com/8", "10.0.0.0/33", "10.0.0.0/-1", "::/129", "",
                "1.2.3", "0x7f.0.0.1", "10.0.0.0/8/8", "a".repeat(100)}) {
            assertThat(Cidr.parse(bad)).as(bad).isNull();
        }
        assertThat(Cidr.parse("10.0.0.0/8").contains("localhost")).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(null)).isFalse();
    }
}
