package dev.chorus.signaling.call;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** One WARN per cause per interval, with the participant and the count of suppressed repeats. */
class OperatorWarningsTest {
    @Test
    void eachCauseIsLoggedOncePerIntervalWithTheSuppressedCount() {
        AtomicLong now = new AtomicLong(0);
        OperatorWarnings w = new OperatorWarnings(TimeUnit.SECONDS.toNanos(60), now::get);
        Logger logger = (Logger) LoggerFactory.getLogger(OperatorWarnings.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        try {
            assertThat(w.warn("ice_consent_lost", "publish", "p1")).isTrue();
            for (int i = 0; i < 100; i++) assertThat(w.warn("ice_consent_lost", "publish", "p" + i)).isFalse();
            assertThat(w.warn("negotiation_refused", "bad_sdp", "p2")).as("another cause").isTrue();
            now.addAndGet(TimeUnit.SECONDS.toNanos(61));
            assertThat(w.warn("ice_consent_lost", "publish", "p3")).isTrue();
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "event=ice_consent_lost reason=publish participant=p1 suppressed_since_last=0",
                    "event=negotiation_refused reason=bad_sdp participant=p2 suppressed_since_last=0",
                    "event=ice_consent_lost reason=publish participant=p3 suppressed_since_last=100");
            assertThat(seen.list).allSatisfy(e -> assertThat(e.getLevel().toString()).isEqualTo("WARN"));
        } finally {
            logger.detachAppender(seen);
        }
    }
}
