package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A failed DTLS handshake reaches the participant's listener with its precise reason, then the close. */
@ExtendWith(NettyLeakGuard.class)
class SfuDtlsFailureTest {
    SfuFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    @Test
    void aClientWithoutUseSrtpIsReportedAsNoUseSrtpBeforeTheTransportCloses() throws Exception {
        fixture = SfuFixture.start(SfuConfig.defaults().withWorkers(1));
        SfuPeer peer = fixture.join("r", "p1", MediaRights.all());
        WebRtcTestClient client = fixture.closeLater(new WebRtcTestClient(fixture.sfu.media().candidates().getFirst()));
        String answer = peer.participant.publish(client.publishOffer(List.of(new TestTrack("audio", "a", 0x1234L, 0))))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        var sd = SdpParser.parse(answer);
        var m = sd.media().getFirst();
        assertThat(client.iceCheck(sd.iceUfrag(m), sd.icePwd(m), true, 2000)).isTrue();
        var fp = sd.fingerprints(m).getFirst();
        try {
            client.connectDtls(Fingerprint.parseSdp(fp.hashFunction() + " " + fp.value()),
                    TestDtlsClient.Options.standard().withoutUseSrtp());
        } catch (java.io.IOException expected) {
            // the server refuses the handshake with an alert
        }
        SfuPeer.await(() -> peer.events.transportClosed.contains("PUBLISH:DTLS_FAILED"), "the close");
        assertThat(peer.events.dtlsFailures).containsExactly("PUBLISH:NO_USE_SRTP");
    }
}
