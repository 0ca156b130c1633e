package dev.chorus.stun;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (CRC-32 xor 0x5354554E), computed and
 * verified as RFC 8489 §14.5–14.7 say: over the message up to the attribute, with the header's length field
 * adjusted to end just after that attribute.
 *
 * <p>Per-thread state ({@link Mac} instances, CRC, a scratch array) is reused, so a verification allocates nothing
 * beyond what the JCE does in {@code Mac.init} when the key changes (the last key per thread is remembered).
 * Comparisons are constant time.
 */
public final class StunIntegrity {
    private StunIntegrity() {}

    /** XOR constant for FINGERPRINT. */
    public static final int FINGERPRINT_XOR = 0x5354554E;

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private static final class State {
        final Mac sha1;
        final Mac sha256;
        StunKey sha1Key;
        StunKey sha256Key;
        final CRC32 crc = new CRC32();
        final byte[] out = new byte[32];
        byte[] scratch = new byte[2048];

        State() {
            try {
                sha1 = Mac.getInstance("HmacSHA1");
                sha256 = Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC missing from the JDK", e);
            }
        }

        /** Copies [start, attrStart) into scratch and patches the length field to end {@code attrTotal} later. */
        int prepare(ByteBuf buf, int start, int attrStart, int attrTotal) {
            int n = attrStart - start;
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, scratch.length * 2)];
            }
            buf.getBytes(start, scratch, 0, n);
            int adjusted = n - StunMessage.HEADER_LENGTH + attrTotal;
            scratch[2] = (byte) (adjusted >>> 8);
            scratch[3] = (byte) adjusted;
            return n;
        }

        Mac mac(StunKey key, boolean useSha256) {
            try {
                if (useSha256) {
                    if (sha256Key != key) {
                        sha256.init(key.hmacSha256);
                        sha256Key = key;
                    }
                    return sha256;
                }
                if (sha1Key != key) {
                    sha1.init(key.hmacSha1);
                    sha1Key = key;
                }
                return sha1;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC init failed", e);
            }
        }

        /** HMAC into {@link #out}; the Mac is left reset with the same key by doFinal. */
        void hmac(StunKey key, boolean useSha256, int n) {
            Mac mac = mac(key, useSha256);
            mac.update(scratch, 0, n);
            try {
                mac.doFinal(out, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC failed", e);
            }
        }
    }

    /**
     * Verifies MESSAGE-INTEGRITY with {@code key}. False if the attribute is absent, the message is not valid, or the
     * HMAC differs.
     */
    public static boolean verifyMessageIntegrity(StunMessage m, StunKey key) {
        int i = m.messageIntegrityIndex();
        if (!m.isValid() || i < 0) {
            return false;
        }
        return verifyHmac(m, i, key, false);
    }

    /** Verifies MESSAGE-INTEGRITY-SHA256 (possibly truncated to 16..32 bytes) with {@code key}. */
    public static boolean verifyMessageIntegritySha256(StunMessage m, StunKey key) {
        int i = m.messageIntegritySha256Index();
        if (!m.isValid() || i < 0) {
            return false;
        }
        return verifyHmac(m, i, key, true);
    }

    private static boolean verifyHmac(StunMessage m, int i, StunKey key, boolean sha256) {
        State s = STATE.get();
        ByteBuf buf = m.buffer();
        int valueOff = m.attributeOffset(i);
        int len = m.attributeLength(i);
        int n = s.prepare(buf, m.start(), valueOff - 4, 4 + len);
        s.hmac(key, sha256, n);
        int diff = 0;
        for (int k = 0; k < len; k++) {
            diff |= s.out[k] ^ buf.getByte(valueOff + k);
        }
        return diff == 0;
    }

    /** Verifies FINGERPRINT. False if absent or wrong. */
    public static boolean verifyFingerprint(StunMessage m) {
        int i = m.fingerprintIndex();
        if (!m.isValid() || i < 0) {
            return false;
        }
        State s = STATE.get();
        int valueOff = m.attributeOffset(i);
        int n = s.prepare(m.buffer(), m.start(), valueOff - 4, 8);
        s.crc.reset();
        s.crc.update(s.scratch, 0, n);
        int expected = (int) s.crc.getValue() ^ FINGERPRINT_XOR;
        return expected == m.buffer().getInt(valueOff);
    }

    /**
     * Writes the 20/32-byte HMAC value for an integrity attribute whose 4-byte header is already written at
     * {@code attrStart} and whose length field in the header at {@code start} already includes it.
     */
    static void writeHmac(ByteBuf out, int start, int attrStart, StunKey key, boolean sha256) {
        State s = STATE.get();
        int n = attrStart - start;
        if (s.scratch.length < n) {
            s.scratch = new byte[Math.max(n, s.scratch.length * 2)];
        }
        out.getBytes(start, s.scratch, 0, n);
        s.hmac(key, sha256, n);
        out.writeBytes(s.out, 0, sha256 ? 32 : 20);
    }

    /** CRC-32 xor 0x5354554E over [start, attrStart) of a buffer whose header length already includes FINGERPRINT. */
    static int fingerprint(ByteBuf out, int start, int attrStart) {
        State s = STATE.get();
        int n = attrStart - start;
        if (s.scratch.length < n) {
            s.scratch = new byte[Math.max(n, s.scratch.length * 2)];
        }
        out.getBytes(start, s.scratch, 0, n);
        s.crc.reset();
        s.crc.update(s.scratch, 0, n);
        return (int) s.crc.getValue() ^ FINGERPRINT_XOR;
    }
}
