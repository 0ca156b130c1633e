package dev.chorus.turn.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix such as {@code 10.0.0.0/8} or {@code fc00::/7}. Matches raw address bytes of its family. */
public record Cidr(byte[] network, int prefix, String text) {

    /** Parses {@code address/prefix} (or a bare address, meaning a single host). Literal addresses only, no DNS. */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();  // literal: no lookup
            if (bytes.length == 4 && addr.indexOf(':') >= 0) {  // Java turns ::ffff:a.b.c.d into IPv4: keep IPv6
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, m, 12, 4);
                bytes = m;
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + text, e);
        }
        int max = bytes.length * 8;
        int prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
        if (prefix < 0 || prefix > max) throw new IllegalArgumentException("bad prefix: " + text);
        for (int bit = prefix; bit < max; bit++) bytes[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
        return new Cidr(bytes, prefix, t);
    }

    public boolean matches(byte[] address) {
        if (address.length != network.length) return false;
        int full = prefix >> 3;
        for (int i = 0; i < full; i++) if (address[i] != network[i]) return false;
        int rest = prefix & 7;
        if (rest == 0) return true;
        int mask = (0xff00 >>> rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }
}
