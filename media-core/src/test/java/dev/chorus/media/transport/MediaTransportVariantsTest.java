package dev.chorus.media.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.TestDtlsClient;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The same ICE → DTLS → SRTP echo over NIO, over IPv6 loopback, and the announced-address (NAT) option. */
@org.junit.jupiter.api.extension.ExtendWith(NettyLeakGuard.class)
class MediaTransportVariantsTest {
    static final DtlsCertificate SERVER = DtlsCertificate.generate("chorus-test-server");

    private static void echoRoundTrip(MediaTransportServer server) throws Exception {
        echoRoundTrip(server, server.localAddress());
    }

    private static void echoRoundTrip(MediaTransportServer server, InetSocketAddress target) throws Exception {
        try (WebRtcTestClient client = new WebRtcTestClient(target)) {
            RecordingTransportListener listener = new RecordingTransportListener();
            WebRtcTransport transport = server.createTransport(client.ufrag(), client.fingerprint(), new EchoSink(), listener);
            assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
            client.connectDtls(SERVER.fingerprint(), TestDtlsClient.Options.standard());
            listener.connected.get(10, TimeUnit.SECONDS);
            for (int seq = 1; seq <= 5; seq++) {
                byte[] plain = WebRtcTestClient.rtp(seq, 77, 500);
                client.sendRtp(plain);
                assertThat(client.receiveMedia(5000)).isEqualTo(plain);
            }
        }
    }

    @Test
    void nioFallbackWorks() throws Exception {
        try (MediaTransportServer server = new MediaTransportServer(
                MediaTransportConfig.loopback().withEpoll(false), SERVER).start()) {
            assertThat(server.isEpoll()).isFalse();
            echoRoundTrip(server);
        }
    }

    @Test
    void ipv6LoopbackWorks() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(v6, 0))) {
            assertThat(probe.getLocalAddress()).isEqualTo(v6);
        } catch (java.net.SocketException e) {
            assumeTrue(false, "no IPv6 loopback on this host");
        }
        try (MediaTransportServer server = new MediaTransportServer(
                MediaTransportConfig.loopback().withBindAddress(v6), SERVER).start()) {
            assertThat(server.candidates()).containsExactly(new InetSocketAddress(v6, server.localAddress().getPort()));
            echoRoundTrip(server);
        }
    }

    @Test
    void wildcardBindAnnouncesInterfaceAddressesNeverTheWildcard() throws Exception {
        try (MediaTransportServer server = new MediaTransportServer(
                MediaTransportConfig.loopback().withBindAddress(InetAddress.getByName("0.0.0.0")), SERVER).start()) {
            assertThat(server.candidates()).isNotEmpty().allSatisfy(c -> {
                assertThat(c.getAddress().isAnyLocalAddress()).isFalse();
                assertThat(c.getAddress()).isInstanceOf(java.net.Inet4Address.class);
                assertThat(c.getPort()).isEqualTo(server.localAddress().getPort());
            });
        }
    }

    @Test
    void dualStackBindServesAnIpv4Client() throws Exception {
        try (MediaTransportServer server = new MediaTransportServer(
                MediaTransportConfig.loopback().withBindAddress(InetAddress.getByName("::")), SERVER).start()) {
            assertThat(server.candidates()).noneMatch(c -> c.getAddress().isAnyLocalAddress());
            // The client talks to 127.0.0.1 on the server's port: an IPv4 peer of a dual-stack socket.
            echoRoundTrip(server, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.localAddress().getPort()));
        } catch (java.net.SocketException e) {
            assumeTrue(false, "no IPv6 on this host: " + e.getMessage());
        }
    }

    @Test
    void stopClosesEveryTransportWithServerStopped() throws Exception {
        MediaTransportServer server = new MediaTransportServer(MediaTransportConfig.loopback(), SERVER).start();
        RecordingTransportListener a = new RecordingTransportListener();
        RecordingTransportListener b = new RecordingTransportListener();
        server.createTransport("remoteA", SERVER.fingerprint(), MediaSink.DISCARD, a);
        server.createTransport("remoteB", SERVER.fingerprint(), MediaSink.DISCARD, b);
        assertThat(server.openTransports()).isEqualTo(2);
        server.stop();
        assertThat(a.closed.get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.SERVER_STOPPED);
        assertThat(b.closed.get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.SERVER_STOPPED);
        assertThat(server.openTransports()).isZero();
    }

    @Test
    void announcedAddressesReplaceTheBoundOneInCandidates() throws Exception {
        InetAddress publicAddress = InetAddress.getByName("203.0.113.7");
        try (MediaTransportServer server = new MediaTransportServer(
                MediaTransportConfig.loopback().withAnnouncedAddresses(List.of(publicAddress)), SERVER).start()) {
            assertThat(server.candidates()).containsExactly(
                    new InetSocketAddress(publicAddress, server.localAddress().getPort()));
        }
    }
}
