package dev.chorus.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * jitsi-srtp asks for a child logger per crypto context; ours hands back itself, so a process that derives contexts
 * for every join keeps nothing per context (jitsi-utils' LoggerImpl kept a weak reference per child, forever).
 */
class JitsiSrtpLoggerTest {

    @Test
    void childLoggersAreTheParentItselfSoContextsLeaveNothingBehind() {
        JitsiSrtpLogger logger = new JitsiSrtpLogger("dev.chorus.media.srtp.jitsi.test-children");

        assertThat(logger.createChildLogger("org.jitsi.srtp.SrtpCryptoContext")).isSameAs(logger);
        assertThat(logger.createChildLogger("x", Map.of("ssrc", "1"))).isSameAs(logger);
    }

    @Test
    void jitsiSrtpIsHandedThisLogger() {
        assertThat(JitsiSrtp.LOGGER).isInstanceOf(JitsiSrtpLogger.class);
    }

    @Test
    void warningsAndErrorsReachTheNamedLoggerAndChattierLevelsAreDropped() {
        String name = "dev.chorus.media.srtp.jitsi.test-levels";
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(name);
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        jul.setLevel(Level.ALL);
        try {
            JitsiSrtpLogger logger = new JitsiSrtpLogger(name);
            logger.info("per-context chatter");
            logger.debug(() -> { throw new AssertionError("debug suppliers are never evaluated"); });
            logger.trace("per-packet chatter");
            logger.warn("replay window reset");
            logger.error("cipher failed", new IllegalStateException("boom"));

            assertThat(records).extracting(LogRecord::getLevel).containsExactly(Level.WARNING, Level.SEVERE);
            assertThat(records.get(0).getMessage()).isEqualTo("replay window reset");
            assertThat(records.get(1).getThrown()).hasMessage("boom");
            assertThat(logger.isInfoEnabled()).isFalse();
            assertThat(logger.isWarnEnabled()).isTrue();
        } finally {
            jul.removeHandler(capture);
        }
    }
}
