package dev.chorus.media.srtp;

import java.util.logging.Level;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/** One-time jitsi-srtp set-up shared by the encryptor and decryptor. */
final class JitsiSrtp {
    /** jitsi-srtp's own logger; warnings only (it would otherwise log per context at INFO). */
    static final Logger LOGGER;

    static {
        // Pin AES to the JDK's SunJCE (AES-NI intrinsics). Without this jitsi-srtp benchmarks several
        // providers at start-up and picks one by a noisy measurement.
        Aes.setFactoryClassName("SunJCE");
        LOGGER = new LoggerImpl("dev.chorus.media.srtp.jitsi", Level.WARNING);
    }

    private JitsiSrtp() {}

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
