package dev.chorus.common.net;

import java.util.ArrayList;
import java.util.List;

/**
 * Canonicalization of peer addresses before any policy check. An IPv6 address may carry an IPv4 address inside
 * it, and a relay must judge the IPv4 address, or {@code ::ffff:127.0.0.1} would reach loopback. This class
 * returns every form an address stands for:
 * <ul>
 *   <li>exact translations, replaced by the IPv4 address: IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible
 *       {@code ::/96} (except {@code ::} and {@code ::1}), SIIT IPv4-translated {@code ::ffff:0:0:0/96},
 *       NAT64 well-known {@code 64:ff9b::/96};</li>
 *   <li>tunnels and local-use NAT64, judged as both the IPv6 address and every IPv4 address they embed: 6to4
 *       {@code 2002::/16} (bits 16–47), Teredo {@code 2001::/32} (server, and client XOR 0xffffffff),
 *       ISATAP-style interface ids {@code ::0:5efe:a.b.c.d} / {@code ::200:5efe:a.b.c.d} under any prefix, and
 *       {@code 64:ff9b:1::/48} with each RFC 6052 embedding (/48, /56, /64, /96).</li>
 * </ul>
 */
public final class AddressForms {
    private AddressForms() {}

    /** The address that packets would actually go to: the IPv4 address for exact translations, else itself. */
    public static byte[] canonical(byte[] a) {
        if (a.length == 16) {
            byte[] v4 = exactV4(a);
            if (v4 != null) return v4;
        }
        return a;
    }

    /** The canonical address first, then every other address embedded in it (tunnel endpoints), deduplicated. */
    public static List<byte[]> allForms(byte[] a) {
        List<byte[]> out = new ArrayList<>(4);
        byte[] c = canonical(a);
        out.add(c);
        if (c.length == 16) {
            if ((a[0] & 0xff) == 0x20 && (a[1] & 0xff) == 0x02) add(out, slice(a, 2));
            if ((a[0] & 0xff) == 0x20 && (a[1] & 0xff) == 0x01 && a[2] == 0 && a[3] == 0) {
                add(out, slice(a, 4));                      // Teredo server
                byte[] client = slice(a, 12);
                for (int i = 0; i < 4; i++) client[i] = (byte) ~client[i];  // client address is obfuscated
                add(out, client);
            }
            // ISATAP interface identifier: 0000:5efe or 0200:5efe (u/l bit) then the IPv4 address
            if ((a[8] & 0xfd) == 0 && a[9] == 0 && (a[10] & 0xff) == 0x5e && (a[11] & 0xff) == 0xfe) add(out, slice(a, 12));
            if (a[0] == 0 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b
                    && a[4] == 0 && a[5] == 1) {
                add(out, new byte[] {a[6], a[7], a[9], a[10]});    // /48: bits 48-63, skip u octet, 72-87
                add(out, new byte[] {a[7], a[9], a[10], a[11]});   // /56
                add(out, new byte[] {a[9], a[10], a[11], a[12]});  // /64
                add(out, slice(a, 12));                            // /96
            }
        }
        return out;
    }

    private static byte[] exactV4(byte[] a) {
        if (zero(a, 0, 10)) {
            if ((a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) return slice(a, 12);   // ::ffff:a.b.c.d
            if (a[10] == 0 && a[11] == 0) {                                               // ::a.b.c.d
                boolean loopbackOrAny = zero(a, 12, 15) && (a[15] == 0 || a[15] == 1);
                return loopbackOrAny ? null : slice(a, 12);
            }
        }
        if (zero(a, 0, 8) && (a[8] & 0xff) == 0xff && (a[9] & 0xff) == 0xff && a[10] == 0 && a[11] == 0) {
            return slice(a, 12);                                                          // ::ffff:0:a.b.c.d
        }
        if (a[0] == 0 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && zero(a, 4, 12)) {
            return slice(a, 12);                                                          // 64:ff9b::a.b.c.d
        }
        return null;
    }

    private static boolean zero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] != 0) return false;
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
    }

    private static void add(List<byte[]> out, byte[] v) {
        for (byte[] e : out) if (java.util.Arrays.equals(e, v)) return;
        out.add(v);
    }
}
