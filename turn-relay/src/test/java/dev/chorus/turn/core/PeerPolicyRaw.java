package dev.chorus.turn.core;

import java.net.InetAddress;

/** Literal → raw address bytes, keeping IPv6 forms that Java would turn into IPv4 (::ffff:a.b.c.d). */
final class PeerPolicyRaw {
    private PeerPolicyRaw() {}

    static byte[] bytes(String literal) throws Exception {
        byte[] b = InetAddress.getByName(literal).getAddress();
        if (b.length == 16 || !literal.contains(":")) return b;
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(b, 0, m, 12, 4);
        return m;
    }
}
