package dev.chorus.media.dtls;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.tls.TlsFatalAlert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs why DTLS handshakes fail, once per distinct cause: the first handshake that fails with a given reason, alert
 * and underlying exception is logged at WARN with all three (what an operator needs to see that, say, every RSA-PSS
 * client fails); repeats go to DEBUG so a misbehaving or hostile client cannot flood the log. The number of
 * distinct causes remembered is bounded. Nothing secret is in a handshake failure (no keys, no payload).
 */
final class DtlsFailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsFailureLog.class);
    static final int MAX_DISTINCT_CAUSES = 256;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /**
     * @param alert  the handshake's first fatal alert, or null
     * @param thrown what the handshake threw
     * @return true when this was the first failure with this cause (logged at WARN)
     */
    boolean report(DtlsFailure reason, ChorusTlsServer.AlertRecord alert, Throwable thrown) {
        String line = describe(reason, alert, thrown);
        boolean first = seen.size() < MAX_DISTINCT_CAUSES && seen.add(line);
        if (first) {
            LOG.warn("{} (logged once per distinct cause; repeats at DEBUG)", line);
        } else {
            LOG.debug(line);
        }
        return first;
    }

    /** One line: the stable reason, the first fatal alert (and who sent it) and the innermost exception. */
    static String describe(DtlsFailure reason, ChorusTlsServer.AlertRecord alert, Throwable thrown) {
        Throwable cause = rootCause(alert != null && alert.cause() != null ? alert.cause() : thrown);
        String alertText = alert != null ? alert.describe() : "no alert";
        String causeText = cause == null ? "none"
                : cause.getClass().getName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
        String line = "DTLS handshake failed: reason=" + reason.name().toLowerCase(java.util.Locale.ROOT)
                + ", alert=" + alertText + ", cause=" + causeText;
        return line;
    }

    /** The innermost exception that explains the failure (a TlsFatalAlert wraps the JCA exception that caused it). */
    private static Throwable rootCause(Throwable t) {
        if (t == null) return null;
        Throwable current = t;
        for (int depth = 0; depth < 8 && current.getCause() != null && current.getCause() != current; depth++) {
            current = current.getCause();
        }
        if (current instanceof TlsFatalAlert && current == t) return null; // the alert itself says it all
        return current;
    }
}
