package dev.chorus.stun;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The one place that encodes and decodes STUN address attributes (MAPPED-ADDRESS and the XOR-*-ADDRESS family,
 * RFC 8489 §14.1–14.2): the port is XORed with the cookie's high 16 bits, an IPv4 address with the cookie, and an
 * IPv6 address with cookie ‖ transaction id.
 */
public final class StunAddresses {
    private StunAddresses() {}

    /** Address family value for IPv4. */
    public static final int FAMILY_IPV4 = 0x01;
    /** Address family value for IPv6. */
    public static final int FAMILY_IPV6 = 0x02;

    /** Encoded value length for an address of this kind (8 for IPv4, 20 for IPv6). */
    public static int valueLength(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? 8 : 20;
    }

    /**
     * Writes the value of an address attribute at the writer index.
     *
     * @param txidIndex absolute index in {@code txidSource} of the message's 12-byte transaction id (IPv6 XOR)
     */
    public static void write(ByteBuf out, InetSocketAddress address, boolean xor, ByteBuf txidSource, int txidIndex) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address");
        }
        int port = address.getPort();
        if (ip instanceof Inet4Address v4) {
            out.writeByte(0).writeByte(FAMILY_IPV4);
            out.writeShort(xor ? port ^ (StunMessage.MAGIC_COOKIE >>> 16) : port);
            // Inet4Address.hashCode() is its address as an int: avoids getAddress()'s defensive copy per packet.
            int a = v4.hashCode();
            out.writeInt(xor ? a ^ StunMessage.MAGIC_COOKIE : a);
        } else if (ip instanceof Inet6Address v6) {
            out.writeByte(0).writeByte(FAMILY_IPV6);
            out.writeShort(xor ? port ^ (StunMessage.MAGIC_COOKIE >>> 16) : port);
            byte[] a = v6.getAddress();
            for (int k = 0; k < 16; k++) {
                int mask = 0;
                if (xor) {
                    mask = k < 4 ? (StunMessage.MAGIC_COOKIE >>> (24 - 8 * k)) & 0xFF : txidSource.getByte(txidIndex + k - 4);
                }
                out.writeByte(a[k] ^ mask);
            }
        } else {
            throw new IllegalArgumentException("unsupported address type");
        }
    }

    /**
     * Reads an address attribute value. Returns null for an unknown family or a length that does not match it
     * (never throws for hostile content).
     */
    public static InetSocketAddress read(ByteBuf buf, int offset, int length, boolean xor, int txidIndex) {
        if (length < 8) {
            return null;
        }
        int family = buf.getUnsignedByte(offset + 1);
        int port = buf.getUnsignedShort(offset + 2);
        if (xor) {
            port ^= StunMessage.MAGIC_COOKIE >>> 16;
        }
        byte[] a;
        if (family == FAMILY_IPV4 && length == 8) {
            a = new byte[4];
            int v = buf.getInt(offset + 4);
            if (xor) {
                v ^= StunMessage.MAGIC_COOKIE;
            }
            a[0] = (byte) (v >>> 24);
            a[1] = (byte) (v >>> 16);
            a[2] = (byte) (v >>> 8);
            a[3] = (byte) v;
        } else if (family == FAMILY_IPV6 && length == 20) {
            a = new byte[16];
            for (int k = 0; k < 16; k++) {
                int mask = 0;
                if (xor) {
                    mask = k < 4 ? (StunMessage.MAGIC_COOKIE >>> (24 - 8 * k)) & 0xFF : buf.getByte(txidIndex + k - 4);
                }
                a[k] = (byte) (buf.getByte(offset + 4 + k) ^ mask);
            }
        } else {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(a), port);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }
}
