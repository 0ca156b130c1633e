package dev.chorus.bench.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Candidate for the SRTP provider comparison (not used by the server): SRTP protect of one stream with JCE cipher
 * objects created once and reused, out of place (plain packet in, protected packet out, the way a forwarder writes
 * into its send buffer), so no in-place overlap copy. The JCE still needs an {@code init} per packet because the IV
 * changes (SunJCE refuses to reuse a GCM key/IV pair for encryption). Session keys are random: the cost per packet
 * is the same as with RFC 3711 key derivation.
 */
final class JceSrtpProtect implements SrtpProtectCandidate {
    private final boolean gcm;
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final Mac mac;
    private final byte[] salt;
    private final byte[] iv;
    private final byte[] roc = new byte[4];
    private final byte[] digest = new byte[20];

    JceSrtpProtect(boolean gcm, byte[] sessionKey, byte[] sessionSalt, byte[] authKey) throws GeneralSecurityException {
        this.gcm = gcm;
        this.cipher = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "AES/CTR/NoPadding", "SunJCE");
        this.key = new SecretKeySpec(sessionKey, "AES");
        this.salt = sessionSalt.clone();
        this.iv = new byte[gcm ? 12 : 16];
        if (gcm) {
            mac = null;
        } else {
            mac = Mac.getInstance("HmacSHA1", "SunJCE");
            mac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        }
    }

    @Override
    public int protect(byte[] in, int inOff, int len, byte[] out, int outOff, int index) throws GeneralSecurityException {
        int ssrc = SrtpIv.ssrc(in, inOff);
        System.arraycopy(in, inOff, out, outOff, 12);
        if (gcm) {
            SrtpIv.gcm(iv, salt, ssrc, index);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(in, inOff, 12);
            return 12 + cipher.doFinal(in, inOff + 12, len - 12, out, outOff + 12);
        }
        SrtpIv.ctr(iv, salt, ssrc, index);
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        int n = cipher.doFinal(in, inOff + 12, len - 12, out, outOff + 12);
        mac.update(out, outOff, 12 + n);
        SrtpIv.putInt(roc, 0, index >>> 16);
        mac.update(roc, 0, 4);
        try {
            mac.doFinal(digest, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(digest, 0, out, outOff + 12 + n, 10);
        return 12 + n + 10;
    }
}
