package dev.chorus.signaling.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Canonical form of a peer address for limits and audit ("convert before you compare"):
 * IPv4-mapped IPv6 becomes plain IPv4, and IPv6 peers are grouped by their /64 for per-source limits,
 * since one host usually owns a whole /64.
 */
public final class SourceAddress {
    private SourceAddress() {}

    /** The peer's IP as text in canonical form, e.g. {@code 127.0.0.1} or {@code 0:0:0:0:0:0:0:1}. */
    public static String ip(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa) || isa.getAddress() == null) return "unknown";
        return canonical(isa.getAddress()).getHostAddress();
    }

    /** The key used by per-source limits: the IPv4 address, or the IPv6 /64 prefix. */
    public static String limitKey(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa) || isa.getAddress() == null) return "unknown";
        InetAddress a = canonical(isa.getAddress());
        if (a instanceof Inet6Address && !a.isLoopbackAddress()) {
            byte[] b = Arrays.copyOf(a.getAddress(), 16);
            Arrays.fill(b, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(b).getHostAddress() + "/64";
            } catch (UnknownHostException e) {
                return "unknown";
            }
        }
        return a.getHostAddress();
    }

    static InetAddress canonical(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }
}
