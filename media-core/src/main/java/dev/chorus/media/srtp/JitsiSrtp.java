package dev.chorus.media.srtp;

import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.jitsi.utils.logging2.Logger;

/**
 * One-time jitsi-srtp set-up shared by the encryptor and decryptor: the AES provider and jitsi-srtp's logger.
 *
 * <p>The provider is OpenSSL (jitsi-srtp's bundled JNI glue over the system's {@code libcrypto.so.3}, Debian package
 * {@code libssl3}) when it loads, SunJCE otherwise. Measured in {@code docs/benchmarks.md} ("SRTP: choosing the
 * cipher provider"): SunJCE re-initialises GCM per packet and allocates about one packet-sized array per call,
 * OpenSSL reuses one {@code EVP_CIPHER_CTX} per context. The system property {@value #PROPERTY} ({@code OpenSSL} or
 * {@code SunJCE}) overrides the choice, e.g. to compare them.
 */
final class JitsiSrtp {
    /** System property naming the AES provider: {@code OpenSSL} (default when available) or {@code SunJCE}. */
    static final String PROPERTY = "chorus.srtp.provider";
    /** jitsi-srtp's own logger; warnings only (it would otherwise log per context at INFO), no child contexts. */
    static final Logger LOGGER;
    /** The AES provider in use, for logs and benchmarks. */
    static final String PROVIDER;

    static {
        LOGGER = new JitsiSrtpLogger("dev.chorus.media.srtp.jitsi");
        String wanted = System.getProperty(PROPERTY, "OpenSSL");
        // Pin one provider: without this jitsi-srtp benchmarks several providers at start-up and picks one by a
        // noisy measurement. HMAC-SHA1 (AES_CM_128_HMAC_SHA1_80) follows: jitsi-srtp takes OpenSSL's whenever the
        // native library is loaded.
        boolean openSsl = "OpenSSL".equalsIgnoreCase(wanted) && openSslLoads();
        if (!openSsl && "OpenSSL".equalsIgnoreCase(wanted)) {
            java.util.logging.Logger.getLogger(JitsiSrtp.class.getName()).warning(
                    "SRTP: jitsi-srtp's OpenSSL glue did not load (is libcrypto.so.3 / libssl3 installed?); using SunJCE");
        }
        PROVIDER = openSsl ? "OpenSSL" : "SunJCE";
        Aes.setFactoryClassName(PROVIDER);
    }

    private JitsiSrtp() {}

    private static boolean openSslLoads() {
        try {
            return JitsiOpenSslProvider.isLoaded();
        } catch (LinkageError e) {
            return false;
        }
    }

    static void init() {
        // Forces the static initializer.
    }

    static SrtpResult map(SrtpErrorStatus status) {
        return switch (status) {
            case OK -> SrtpResult.OK;
            case AUTH_FAIL -> SrtpResult.AUTH_FAILED;
            case REPLAY_FAIL, REPLAY_OLD -> SrtpResult.REPLAYED;
            case INVALID_PACKET, FAIL -> SrtpResult.INVALID;
        };
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
