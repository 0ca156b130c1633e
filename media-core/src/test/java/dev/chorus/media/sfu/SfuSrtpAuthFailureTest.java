package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * SRTP packets that fail authentication on a connected transport (here: real SRTP from the test client with the
 * authentication tag flipped) are dropped; a burst above the threshold is logged once at WARN with the participant
 * id, a handful is not.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuSrtpAuthFailureTest {
    SfuFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    @Test
    void aBurstOfForgedPacketsIsLoggedOnceWithTheParticipantAndAFewAreNot() throws Exception {
        fixture = SfuFixture.start(SfuConfig.defaults().withWorkers(1));
        SfuPeer peer = fixture.join("r", "p_forged", MediaRights.all());
        peer.publish(List.of(new TestTrack("audio", "a", 0x1234L, 0)));
        Logger logger = (Logger) LoggerFactory.getLogger(Worker.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            for (int seq = 1; seq <= 5; seq++) sendForged(peer.publisher, seq); // a few: noise, not an alarm
            SfuPeer.await(() -> decryptDrops() >= 5, "5 drops");
            assertThat(warnings(appender)).isEmpty();

            for (int seq = 6; seq <= 200; seq++) sendForged(peer.publisher, seq); // a flood
            SfuPeer.await(() -> decryptDrops() >= 200, "200 drops");
            SfuPeer.await(() -> !warnings(appender).isEmpty(), "the WARN");
            List<String> warnings = warnings(appender);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.getFirst()).contains("SRTP authentication failures above threshold",
                    "participant=p_forged", "transport=publish");
        } finally {
            logger.detachAppender(appender);
        }
    }

    long decryptDrops() {
        return fixture.sfu.counters().stream().mapToLong(c -> c.drops(SfuDropReason.DECRYPT_FAILED)).sum();
    }

    /** A correctly encrypted RTP packet whose last byte (inside the authentication tag) is flipped. */
    static void sendForged(WebRtcTestClient client, int seq) throws java.io.IOException {
        byte[] srtp = client.protectRtp(WebRtcTestClient.rtp(seq, 0x1234, 100));
        srtp[srtp.length - 1] ^= 0x55;
        client.sendRaw(srtp, 0, srtp.length);
    }

    static List<String> warnings(ListAppender<ILoggingEvent> appender) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("SRTP")).toList();
        }
    }
}
