package dev.chorus.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** A java.util.logging record of a library (jitsi-srtp logs this way) reaches logback, at the mapped level. */
class JulBridgeTest {
    @Test
    void julRecordsOfLibrariesGoThroughSlf4j() {
        JulBridge.install();
        JulBridge.install(); // idempotent: one handler, one line per record
        Logger logback = (Logger) LoggerFactory.getLogger("org.jitsi.srtp.test");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logback.addAppender(seen);
        try {
            java.util.logging.Logger.getLogger("org.jitsi.srtp.test").warning("replay window exceeded");
            assertThat(seen.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).isEqualTo("replay window exceeded");
            });
            assertThat(java.util.logging.Logger.getLogger("").getHandlers()).singleElement()
                    .isInstanceOf(org.slf4j.bridge.SLF4JBridgeHandler.class);
        } finally {
            logback.detachAppender(seen);
        }
    }
}
