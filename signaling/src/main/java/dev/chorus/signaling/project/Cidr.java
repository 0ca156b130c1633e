package dev.chorus.signaling.project;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address block, compared in one canonical form (SECURITY-CHECKLIST principle "convert before you compare"):
 * IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible ({@code ::a.b.c.d}) IPv6 addresses are treated as the
 * IPv4 address, zone ids and brackets are dropped, and only numeric literals are accepted (never a host name, so
 * no DNS lookup can happen). Immutable.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** {@code a.b.c.d/n}, {@code x::y/n} or a bare address (a /32 or /128); null if malformed. */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) return null;
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = canonicalBytes(addr);
        if (bytes == null) return null;
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}")) return null;
            prefix = Integer.parseInt(p);
            // a mapped IPv6 prefix (::ffff:10.0.0.0/104) becomes the IPv4 prefix (/8)
            if (max == 32 && addr.contains(":")) prefix -= 96;
            if (prefix < 0 || prefix > max) return null;
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** True if {@code address} (any literal form) lies inside this block. */
    public boolean contains(String address) {
        byte[] b = canonicalBytes(address);
        return b != null && b.length == network.length && Arrays.equals(mask(b, prefix), network);
    }

    /**
     * The canonical bytes of a numeric address literal: 4 bytes for IPv4 and IPv4-mapped/compatible IPv6, else 16.
     * Null for anything that is not a literal.
     */
    public static byte[] canonicalBytes(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) return null;
        String t = text;
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        int zone = t.indexOf('%');
        if (zone >= 0) t = t.substring(0, zone);
        if (!t.matches("[0-9A-Fa-f:.]+")) return null;
        // IPv4 only as a dotted quad of decimals (no "1.2.3", "010.0.0.1" or other BSD shorthands)
        if (!t.contains(":") && !t.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) return null;
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address && isMappedOrCompatible(b)) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return a instanceof Inet4Address || b.length == 16 ? b : null;
    }

    private static boolean isMappedOrCompatible(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0);
        return mapped || compatible;
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
