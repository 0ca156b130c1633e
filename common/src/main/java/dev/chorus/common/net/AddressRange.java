package dev.chorus.common.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code fc00::/7}, or a bare address meaning one host): the one
 * address-range type of Chorus, so that a rule written in signaling (ABAC {@code cidr}, project
 * {@code allowedCidrs}) and the same rule in the TURN relay's peer policy mean the same thing.
 *
 * <p>"Convert before you compare" (SECURITY-CHECKLIST): both the block and every address are canonicalised by
 * {@link AddressForms}. A block written in an exact IPv6 translation of IPv4 ({@code ::ffff:10.0.0.0/104},
 * {@code ::10.0.0.0/104}, {@code 64:ff9b::10.0.0.0/104}) is the IPv4 block ({@code 10.0.0.0/8}). Two questions,
 * one canonicalisation:
 * <ul>
 *   <li>{@link #contains(byte[])}: the address IS inside: its canonical form is (the exact translations
 *       {@code ::ffff:10.1.2.3}, {@code ::10.1.2.3}, {@code ::ffff:0:10.1.2.3}, {@code 64:ff9b::10.1.2.3} are
 *       {@code 10.1.2.3}). For rules that admit (signaling ABAC {@code cidr}, {@code allowedCidrs}): a 6to4,
 *       Teredo or ISATAP address that merely embeds {@code 10.1.2.3} is another IPv6 host (anyone with an IPv6
 *       prefix can pick the ISATAP interface id {@code ::5efe:10.1.2.3}), so it is not admitted by a
 *       {@code 10.0.0.0/8} rule.</li>
 *   <li>{@link #containsAnyForm(byte[])}: traffic to the address may end up inside: any of its forms is,
 *       including tunnel endpoints. For rules that refuse (the TURN relay's deny-list and special ranges).</li>
 * </ul>
 * Only numeric literals are accepted (never a host name, so no DNS lookup can happen). Immutable.
 */
public final class AddressRange {
    private final byte[] network;
    private final int prefix;

    private AddressRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** {@code address/prefix} or a bare address; throws {@link IllegalArgumentException} naming what is wrong. */
    public static AddressRange parse(String text) {
        if (text == null) throw new IllegalArgumentException("address range: null");
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] raw = literal(addr);
        if (raw == null) throw new IllegalArgumentException("not an IP address literal: " + text);
        byte[] canonical = AddressForms.canonical(raw);
        int max = raw.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}")) throw new IllegalArgumentException("bad prefix length: " + text);
            prefix = Integer.parseInt(p);
            if (prefix > max) throw new IllegalArgumentException("prefix longer than the address: " + text);
        }
        if (canonical.length != raw.length) {  // an IPv4 block written as IPv6: keep only the IPv4 bits
            prefix -= 96;
            if (prefix < 0) throw new IllegalArgumentException("IPv4-in-IPv6 block shorter than /96: " + text);
        }
        return new AddressRange(mask(canonical, prefix), prefix);
    }

    /** Like {@link #parse}, but null instead of an exception (for validating input). */
    public static AddressRange tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** True if the address (any numeric literal form, brackets and zone ids allowed) IS inside this block. */
    public boolean contains(String address) {
        byte[] b = literal(address);
        return b != null && contains(b);
    }

    /** True if the canonical form of {@code address} ({@link AddressForms#canonical}) lies inside this block. */
    public boolean contains(byte[] address) {
        return containsForm(AddressForms.canonical(address));
    }

    /** True if any form {@code address} stands for ({@link AddressForms#allForms}) lies inside this block. */
    public boolean containsAnyForm(byte[] address) {
        if (address.length == 4) return containsForm(address);
        List<byte[]> forms = AddressForms.allForms(address);
        for (int i = 0; i < forms.size(); i++) if (containsForm(forms.get(i))) return true;
        return false;
    }

    /**
     * True if {@code form}, an address already canonicalised by {@link AddressForms} (hot path callers judge each
     * form once), lies inside this block. No allocation.
     */
    public boolean containsForm(byte[] form) {
        if (form.length != network.length) return false;
        int full = prefix >> 3;
        for (int i = 0; i < full; i++) if (form[i] != network[i]) return false;
        int rest = prefix & 7;
        if (rest == 0) return true;
        int m = (0xff00 >>> rest) & 0xff;
        return (form[full] & m) == (network[full] & m);
    }

    public int prefixLength() {
        return prefix;
    }

    /**
     * The raw bytes of a numeric address literal, null for anything else: 4 bytes for a dotted quad (decimal only,
     * no {@code 1.2.3} or {@code 010.0.0.1} shorthands), 16 for any IPv6 text, including forms Java would turn into
     * an {@link Inet4Address} ({@code ::ffff:a.b.c.d} stays 16 bytes; {@link AddressForms#canonical} converts).
     * Brackets and a zone id are dropped.
     */
    public static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) return null;
        String t = text;
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        int zone = t.indexOf('%');
        if (zone >= 0) t = t.substring(0, zone);
        if (t.isEmpty() || !t.matches("[0-9A-Fa-f:.]+")) return null;
        boolean v6 = t.indexOf(':') >= 0;
        if (!v6 && !t.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) return null;
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] b = a.getAddress();
        if (v6 && b.length == 4) {  // Java collapsed ::ffff:a.b.c.d into IPv4: keep the 16 bytes that were written
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        }
        return b;
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    /** The canonical text, e.g. {@code 10.0.0.0/8} for {@code ::ffff:10.1.2.3/104}. */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);  // 4 or 16 bytes: cannot happen
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && r.prefix == prefix && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }
}
