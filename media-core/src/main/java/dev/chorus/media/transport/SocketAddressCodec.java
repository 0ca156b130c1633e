package dev.chorus.media.transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Encodes a destination as the kernel's {@code struct sockaddr_in} / {@code sockaddr_in6} for {@link EgressBatch}.
 * An IPv6 (dual-stack) socket reaches IPv4 peers through v4-mapped addresses ({@code ::ffff:a.b.c.d}). Done once
 * per destination change, not per packet (the address bytes are cached by the sender).
 */
final class SocketAddressCodec {
    /** Room for the larger of the two structures. */
    static final int MAX_LENGTH = 28;

    private SocketAddressCodec() {}

    /** Writes {@code to} into {@code out} for a socket of {@code family}; returns the length, or -1 if impossible. */
    static int encode(InetSocketAddress to, int family, byte[] out) {
        InetAddress address = to.getAddress();
        if (address == null) return -1;
        byte[] ip = address.getAddress();
        int port = to.getPort();
        java.util.Arrays.fill(out, (byte) 0);
        if (family == Sendmmsg.AF_INET) {
            if (!(address instanceof Inet4Address)) return -1;
            putFamily(out, Sendmmsg.AF_INET);
            out[2] = (byte) (port >>> 8);
            out[3] = (byte) port;
            System.arraycopy(ip, 0, out, 4, 4);
            return 16;
        }
        if (family != Sendmmsg.AF_INET6) return -1;
        putFamily(out, Sendmmsg.AF_INET6);
        out[2] = (byte) (port >>> 8);
        out[3] = (byte) port;
        if (ip.length == 4) {
            out[8 + 10] = (byte) 0xff;
            out[8 + 11] = (byte) 0xff;
            System.arraycopy(ip, 0, out, 8 + 12, 4);
        } else {
            System.arraycopy(ip, 0, out, 8, 16);
            int scope = ((java.net.Inet6Address) address).getScopeId();
            if (LITTLE) scope = Integer.reverseBytes(scope);
            out[24] = (byte) (scope >>> 24);
            out[25] = (byte) (scope >>> 16);
            out[26] = (byte) (scope >>> 8);
            out[27] = (byte) scope;
        }
        return 28;
    }

    private static final boolean LITTLE = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /** sa_family (and the IPv6 scope id) are in host byte order; the port and address in network order. */
    private static void putFamily(byte[] out, int family) {
        out[LITTLE ? 0 : 1] = (byte) family;
        out[LITTLE ? 1 : 0] = (byte) (family >>> 8);
    }
}
