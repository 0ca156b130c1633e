package dev.chorus.turn.policy;

import dev.chorus.common.net.AddressRange;
import java.util.List;

/**
 * Address ranges a relay must not reach by default (IANA special-purpose registries, RFC 6890 and successors,
 * plus cloud metadata endpoints): loopback, unspecified, private, shared, link-local, multicast, broadcast,
 * reserved, benchmarking, documentation, and IPv6 ranges that only make sense locally.
 */
public final class SpecialRanges {
    private SpecialRanges() {}

    static final List<AddressRange> V4 = parse(
            "0.0.0.0/8",          // "this network", unspecified
            "10.0.0.0/8",         // private
            "100.64.0.0/10",      // shared address space (CGN); includes 100.100.100.200 (Alibaba metadata)
            "127.0.0.0/8",        // loopback
            "169.254.0.0/16",     // link-local; includes 169.254.169.254 and 169.254.170.2 (metadata)
            "172.16.0.0/12",      // private
            "192.0.0.0/24",       // IETF protocol assignments (incl. 192.0.0.192 Oracle metadata)
            "192.0.2.0/24",       // TEST-NET-1
            "192.31.196.0/24",    // AS112
            "192.52.193.0/24",    // AMT
            "192.88.99.0/24",     // 6to4 relay anycast (deprecated)
            "192.168.0.0/16",     // private
            "192.175.48.0/24",    // AS112 direct delegation
            "198.18.0.0/15",      // benchmarking
            "198.51.100.0/24",    // TEST-NET-2
            "203.0.113.0/24",     // TEST-NET-3
            "224.0.0.0/4",        // multicast
            "240.0.0.0/4",        // reserved, includes 255.255.255.255 broadcast
            "168.63.129.16/32");  // Azure wire server / metadata (a public address)

    static final List<AddressRange> V6 = parse(
            "::/128",             // unspecified
            "::1/128",            // loopback
            "::/96",              // IPv4-compatible (deprecated; canonicalized, the rest refused)
            "64:ff9b:1::/48",     // local-use NAT64
            "100::/64",           // discard-only
            "2001::/23",          // IETF protocol assignments, incl. Teredo 2001::/32, ORCHID
            "2001:db8::/32",      // documentation
            "3fff::/20",          // documentation
            "5f00::/16",          // SRv6 SIDs
            "fc00::/7",           // unique local; includes fd00:ec2::254 (AWS metadata)
            "fe80::/10",          // link-local
            "fec0::/10",          // site-local (deprecated)
            "ff00::/8");          // multicast

    private static List<AddressRange> parse(String... cidrs) {
        return java.util.Arrays.stream(cidrs).map(AddressRange::parse).toList();
    }

    public static boolean isSpecial(byte[] a) {
        List<AddressRange> list = a.length == 4 ? V4 : V6;
        for (int i = 0; i < list.size(); i++) if (list.get(i).containsForm(a)) return true;
        return false;
    }

    public static boolean isLoopbackOrUnspecified(byte[] a) {
        if (a.length == 4) return a[0] == 127 || a[0] == 0;
        for (int i = 0; i < 15; i++) if (a[i] != 0) return false;
        return a[15] == 0 || a[15] == 1;
    }
}
