package dev.chorus.media.sctp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The state cookie of INIT-ACK (RFC 9260 section 5.1.3): everything needed to build the association, signed with
 * HMAC-SHA256, so that answering an INIT creates no state (SYN-flood resistance). Layout: version, local tag, peer
 * tag, local initial TSN, peer initial TSN, peer a_rwnd, outbound and inbound stream counts, peer extension flags,
 * creation time, then the MAC.
 */
record StateCookie(int localTag, int peerTag, int localInitialTsn, int peerInitialTsn, long peerWindow,
                   int outboundStreams, int inboundStreams, boolean peerForwardTsn, boolean peerReconfig,
                   long createdAt) {

    static final int BODY = 1 + 4 * 5 + 2 + 2 + 1 + 8;
    static final int MAC = 32;
    static final int SIZE = BODY + MAC;
    private static final int VERSION = 1;

    byte[] sign(byte[] secret) {
        byte[] out = new byte[SIZE];
        out[0] = VERSION;
        Bytes.put32(out, 1, localTag);
        Bytes.put32(out, 5, peerTag);
        Bytes.put32(out, 9, localInitialTsn);
        Bytes.put32(out, 13, peerInitialTsn);
        Bytes.put32(out, 17, peerWindow);
        Bytes.put16(out, 21, outboundStreams);
        Bytes.put16(out, 23, inboundStreams);
        out[25] = (byte) ((peerForwardTsn ? 1 : 0) | (peerReconfig ? 2 : 0));
        Bytes.put32(out, 26, createdAt >>> 32);
        Bytes.put32(out, 30, createdAt);
        System.arraycopy(mac(secret, out, 0, BODY), 0, out, BODY, MAC);
        return out;
    }

    /** The cookie in {@code buf[off, off+len)} if it is ours and intact, else null. Age is the caller's check. */
    static StateCookie verify(byte[] secret, byte[] buf, int off, int len) {
        if (len != SIZE || buf[off] != VERSION) return null;
        byte[] expected = mac(secret, buf, off, BODY);
        byte[] actual = java.util.Arrays.copyOfRange(buf, off + BODY, off + SIZE);
        if (!MessageDigest.isEqual(expected, actual)) return null;
        int flags = buf[off + 25];
        long created = Bytes.u32(buf, off + 26) << 32 | Bytes.u32(buf, off + 30);
        return new StateCookie(Bytes.i32(buf, off + 1), Bytes.i32(buf, off + 5), Bytes.i32(buf, off + 9),
                Bytes.i32(buf, off + 13), Bytes.u32(buf, off + 17), Bytes.u16(buf, off + 21),
                Bytes.u16(buf, off + 23), (flags & 1) != 0, (flags & 2) != 0, created);
    }

    private static byte[] mac(byte[] secret, byte[] buf, int off, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(buf, off, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
