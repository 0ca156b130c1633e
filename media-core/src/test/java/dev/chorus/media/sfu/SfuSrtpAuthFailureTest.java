package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.srtp.SrtpAuthFailureAlarm;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SRTP packets that fail authentication on a connected transport (real SRTP from the test client with the
 * authentication tag flipped) are dropped and counted; a burst above the threshold reaches the participant's
 * listener once (signaling turns it into the operator's WARN line with the participant id), a handful does not.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuSrtpAuthFailureTest {
    SfuFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    @Test
    void aBurstOfForgedPacketsRaisesOneAlarmWithTheTransportAndAFewRaiseNone() throws Exception {
        fixture = SfuFixture.start(SfuConfig.defaults().withWorkers(1));
        SfuPeer peer = fixture.join("r", "p_forged", MediaRights.all());
        peer.publish(List.of(new TestTrack("audio", "a", 0x1234L, 0)));

        int few = SrtpAuthFailureAlarm.DEFAULT_THRESHOLD / 4;
        for (int seq = 1; seq <= few; seq++) sendForged(peer.publisher, seq); // noise, not an alarm
        SfuPeer.await(() -> decryptDrops() >= few, few + " drops");
        assertThat(peer.events.srtpAuthAlarms).isEmpty();

        for (int seq = few + 1; seq <= 200; seq++) sendForged(peer.publisher, seq); // a flood
        SfuPeer.await(() -> decryptDrops() >= 200, "200 drops");
        SfuPeer.await(() -> !peer.events.srtpAuthAlarms.isEmpty(), "the alarm");
        Thread.sleep(200); // a second alarm would come from the same drain
        assertThat(peer.events.srtpAuthAlarms).containsExactly(
                "PUBLISH:" + (SrtpAuthFailureAlarm.DEFAULT_THRESHOLD + 1));
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
}
