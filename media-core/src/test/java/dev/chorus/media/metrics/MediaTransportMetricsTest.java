package dev.chorus.media.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.transport.MediaSink;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.RecordingTransportListener;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binder exposes the edge's counters under the names the dashboards use. */
class MediaTransportMetricsTest {

    @Test
    void countersFlowIntoMicrometer() throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate("chorus-test-server");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MediaTransportServer server = new MediaTransportServer(MediaTransportConfig.loopback(), cert).start();
             WebRtcTestClient client = new WebRtcTestClient(server.localAddress())) {
            new MediaTransportMetrics(server).bindTo(registry);
            RecordingTransportListener listener = new RecordingTransportListener();
            WebRtcTransport t = server.createTransport(client.ufrag(), client.fingerprint(), MediaSink.DISCARD, listener);
            assertThat(client.iceCheck(t.localUfrag(), "wrong-password-wrong-password", true, 300)).isFalse();
            assertThat(client.iceCheck(t.localUfrag(), t.localPassword(), true, 2000)).isTrue();
            client.connectDtls(cert.fingerprint(), TestDtlsClient.Options.standard());
            listener.connected.get(10, TimeUnit.SECONDS);
            client.sendRtp(WebRtcTestClient.rtp(1, 5, 100));
            byte[] junk = {99};
            client.sendRaw(junk, 0, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // both datagrams are handled on the event loop after send returns: wait for each to be counted
            while ((server.srtpStats().rtpUnprotected < 1
                    || registry.get("chorus.media.demux.drops").tag("reason", "unknown_first_byte").functionCounter()
                            .count() < 1) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }

            assertThat(registry.get("chorus.media.transports.open").gauge().value()).isEqualTo(1);
            assertThat(registry.get("chorus.stun.checks").tag("outcome", "valid").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chorus.stun.checks").tag("outcome", "invalid").tag("result", "bad_integrity")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chorus.dtls.handshakes").tag("outcome", "succeeded").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chorus.dtls.handshake.duration").tag("outcome", "succeeded").timer().count()).isEqualTo(1);
            assertThat(registry.get("chorus.srtp.packets").tag("kind", "rtp").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chorus.srtp.drops").tag("reason", "auth").functionCounter().count()).isZero();
            assertThat(registry.get("chorus.media.demux.drops").tag("reason", "unknown_first_byte").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chorus.media.packets").tag("direction", "in").functionCounter().count()).isGreaterThanOrEqualTo(5);
            assertThat(registry.get("chorus.media.bytes").tag("direction", "out").functionCounter().count()).isPositive();
        }
    }
}
