package dev.chorus.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses are compared in one canonical form (SECURITY-CHECKLIST: "convert before you compare"). */
class AddressRangeTest {
    /** 10.1.2.3 itself, in every exact IPv6 translation. */
    static final String[] TEN_ONE_TWO_THREE = {
            "10.1.2.3",
            "::ffff:10.1.2.3", "::FFFF:a01:203", "[::ffff:10.1.2.3]",  // IPv4-mapped
            "::10.1.2.3", "::a01:203",                                  // IPv4-compatible
            "::ffff:0:10.1.2.3",                                        // SIIT IPv4-translated
            "64:ff9b::10.1.2.3", "64:ff9b::a01:203"};                   // NAT64 well-known prefix

    /** IPv6 addresses whose tunnel endpoint (or local NAT64 embedding) is 10.1.2.3. */
    static final String[] EMBEDDING_TEN_ONE_TWO_THREE = {
            "64:ff9b:1:a01:2:300::",                                    // local-use NAT64, /48 embedding
            "2002:a01:203::1",                                          // 6to4
            "2001:0:102:304:0:0:f5fe:fdfc",                             // Teredo client (obfuscated)
            "2001:0:a01:203::1",                                        // Teredo server
            "fe80::5efe:10.1.2.3", "2a00:1450::200:5efe:a01:203"};      // ISATAP

    @Test
    void everyExactTranslationOfAnIpv4AddressIsInsideItsIpv4Block() {
        AddressRange ten = AddressRange.parse("10.0.0.0/8");
        AddressRange other = AddressRange.parse("192.168.0.0/16");
        for (String form : TEN_ONE_TWO_THREE) {
            assertThat(ten.contains(form)).as(form).isTrue();
            assertThat(ten.containsAnyForm(AddressRange.literal(form))).as(form).isTrue();
            assertThat(other.contains(form)).as(form).isFalse();
        }
    }

    @Test
    void aTunnelAddressReachesIntoTheBlockOfItsEndpointButIsNotInsideIt() {
        AddressRange ten = AddressRange.parse("10.0.0.0/8");
        for (String form : EMBEDDING_TEN_ONE_TWO_THREE) {
            assertThat(ten.containsAnyForm(AddressRange.literal(form))).as(form).isTrue();
            assertThat(ten.contains(form)).as(form + " is another IPv6 host").isFalse();
            assertThat(AddressRange.parse("192.168.0.0/16").containsAnyForm(AddressRange.literal(form))).as(form).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:10.0.0.0/104", "::10.0.0.0/104", "64:ff9b::10.0.0.0/104", "::ffff:0:10.0.0.0/104",
            "10.9.9.9/8", " 10.0.0.0/8"})
    void aBlockWrittenInAnyExactTranslationIsTheIpv4Block(String text) {
        assertThat(AddressRange.parse(text)).hasToString("10.0.0.0/8").isEqualTo(AddressRange.parse("10.0.0.0/8"));
    }

    @Test
    void ipv4MappedAndCompatibleIpv6AreTheIpv4Address() {
        AddressRange office = AddressRange.parse("203.0.113.0/24");
        assertThat(office.contains("203.0.113.7")).isTrue();
        assertThat(office.contains("::ffff:203.0.113.7")).isTrue();
        assertThat(office.contains("::FFFF:cb00:7107")).isTrue();
        assertThat(office.contains("[::ffff:203.0.113.7]")).isTrue();
        assertThat(office.contains("::203.0.113.7")).isTrue();
        assertThat(office.contains("203.0.114.1")).isFalse();
    }

    @Test
    void ipv6BlocksZoneIdsAndBareAddresses() {
        AddressRange v6 = AddressRange.parse("2001:db8::/32");
        assertThat(v6.contains("2001:DB8:0:0::1")).isTrue();
        assertThat(v6.contains("2001:db9::1")).isFalse();
        assertThat(AddressRange.parse("fe80::1").contains("fe80::1%eth0")).isTrue();
        assertThat(AddressRange.parse("127.0.0.1").contains("127.0.0.1")).isTrue();
        assertThat(AddressRange.parse("127.0.0.1").contains("::1")).isFalse();
        assertThat(AddressRange.parse("::1/128").contains("::1")).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32")).hasToString("2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void nonLiteralsAndBadPrefixesAreRefusedWithoutLookups() {
        for (String bad : new String[] {"localhost", "example.com/8", "10.0.0.0/33", "10.0.0.0/-1", "::/129", "",
                "1.2.3", "0x7f.0.0.1", "010.0.0.1", "10.0.0.0/8/8", "a".repeat(100), "::ffff:0:0/80"}) {
            assertThat(AddressRange.tryParse(bad)).as(bad).isNull();
            assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AddressRange.tryParse(null)).isNull();
        assertThat(AddressRange.parse("10.0.0.0/8").contains("localhost")).isFalse();
        assertThat(AddressRange.parse("10.0.0.0/8").contains((String) null)).isFalse();
    }

    @Test
    void literalsKeepTheBytesThatWereWritten() {
        assertThat(AddressRange.literal("::ffff:1.2.3.4")).hasSize(16);
        assertThat(AddressForms.canonical(AddressRange.literal("::ffff:1.2.3.4"))).containsExactly(1, 2, 3, 4);
        assertThat(AddressRange.literal("1.2.3.4")).containsExactly(1, 2, 3, 4);
    }
}
