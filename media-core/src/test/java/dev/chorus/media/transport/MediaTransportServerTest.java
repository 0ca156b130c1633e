package dev.chorus.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.srtp.SrtpProfile;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real UDP server on 127.0.0.1 against the Java test client: ICE → DTLS → SRTP, echoing RTP and RTCP, and the
 * transport-level security cases (checklist 33, 34, 36, 37, 38, 40, 32).
 */
@org.junit.jupiter.api.extension.ExtendWith(NettyLeakGuard.class)
class MediaTransportServerTest {
    static DtlsCertificate serverCert;
    static DtlsCertificate clientCert;

    final AtomicLong clockOffset = new AtomicLong();
    MediaTransportServer server;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        serverCert = DtlsCertificate.generate("chorus-test-server");
        clientCert = DtlsCertificate.generate("chorus-test-client");
    }

    @BeforeEach
    void start() throws Exception {
        server = new MediaTransportServer(MediaTransportConfig.loopback(), serverCert,
                () -> System.nanoTime() + clockOffset.get()).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) c.close();
        server.stop();
    }

    @AfterAll
    static void done() { }

    WebRtcTestClient client() throws IOException {
        WebRtcTestClient c = new WebRtcTestClient(server.localAddress(), clientCert);
        closeables.add(c);
        return c;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5); // polling a condition with a deadline
        }
    }

    /** ICE (USE-CANDIDATE) then DTLS; returns the transport, connected. */
    WebRtcTransport connect(WebRtcTestClient client, MediaSink sink, RecordingTransportListener listener,
                            TestDtlsClient.Options options) throws Exception {
        WebRtcTransport transport = server.createTransport(client.ufrag(), client.fingerprint(), sink, listener);
        assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
        client.connectDtls(serverCert.fingerprint(), options);
        listener.connected.get(10, TimeUnit.SECONDS);
        return transport;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void iceDtlsSrtpRoundTripOfRtpAndRtcp(SrtpProfile profile) throws Exception {
        WebRtcTestClient client = client();
        EchoSink echo = new EchoSink();
        RecordingTransportListener listener = new RecordingTransportListener();
        WebRtcTransport transport = connect(client, echo, listener,
                TestDtlsClient.Options.standard().withSrtpProfiles(profile == SrtpProfile.AEAD_AES_128_GCM
                        ? new int[] {SrtpProfile.AEAD_AES_128_GCM.id(), SrtpProfile.AES_CM_128_HMAC_SHA1_80.id()}
                        : new int[] {SrtpProfile.AES_CM_128_HMAC_SHA1_80.id()}));
        assertThat(listener.connected.get()).isEqualTo(profile);
        assertThat(transport.state()).isEqualTo(WebRtcTransport.State.CONNECTED);
        assertThat(transport.remoteAddress()).isEqualTo(client.localAddress());

        for (int seq = 1; seq <= 30; seq++) {
            byte[] plain = WebRtcTestClient.rtp(seq, 0xCAFE, 1000);
            client.sendRtp(plain);
            assertThat(client.receiveMedia(5000)).as("echo of RTP %d", seq).isEqualTo(plain);
        }
        byte[] rr = WebRtcTestClient.rtcpReceiverReport(0xCAFE);
        client.sendRtcp(rr);
        assertThat(client.receiveMedia(5000)).isEqualTo(rr);

        assertThat(echo.rtp.get()).isEqualTo(30);
        assertThat(echo.rtcp.get()).isEqualTo(1);
        assertThat(server.srtpStats().rtpUnprotected).isEqualTo(30);
        assertThat(server.srtpStats().authFailures).isZero();
        assertThat(client.srtpStats().authFailures).isZero();
        assertThat(server.dtlsStats().succeeded()).isEqualTo(1);
        assertThat(server.openTransports()).isEqualTo(1);

        transport.close();
        assertThat(listener.closed.get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.CLOSED_BY_OWNER);
        assertThat(client.awaitDtlsAlert(5000)).as("close_notify tells the peer at once").isTrue();
        await(() -> server.openTransports() == 0, "transport forgotten");
    }

    @Test
    void manyClientsConnectConcurrentlyAndStayIsolated() throws Exception {
        int n = 16;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<java.util.concurrent.Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int ssrc = 0x5000 + i;
                WebRtcTestClient c = new WebRtcTestClient(server.localAddress(), DtlsCertificate.generate("client-" + i));
                closeables.add(c);
                results.add(pool.submit(() -> {
                    connect(c, new EchoSink(), new RecordingTransportListener(), TestDtlsClient.Options.standard());
                    c.sendRtp(WebRtcTestClient.rtp(1, ssrc, 200));
                    return c.receiveMedia(10_000);
                }));
            }
            for (int i = 0; i < n; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as("client %d echo", i)
                        .isEqualTo(WebRtcTestClient.rtp(1, 0x5000 + i, 200));
            }
            assertThat(server.dtlsStats().succeeded()).isEqualTo(n);
            assertThat(server.openTransports()).isEqualTo(n);
            assertThat(server.srtpStats().authFailures).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void queuedPacketsGoOutOnFlush() throws Exception {
        WebRtcTestClient client = client();
        AtomicLong seen = new AtomicLong();
        MediaSink batching = new MediaSink() {
            @Override public void onRtp(WebRtcTransport t, byte[] b, int off, int len) {
                seen.incrementAndGet();
                t.queueRtp(b, off, len);
                if (seen.get() % 4 == 0) server.flush(); // a worker flushes once per drain
            }
            @Override public void onRtcp(WebRtcTransport t, byte[] b, int off, int len) { }
        };
        connect(client, batching, new RecordingTransportListener(), TestDtlsClient.Options.standard());
        for (int seq = 1; seq <= 8; seq++) client.sendRtp(WebRtcTestClient.rtp(seq, 0x42, 300));
        for (int seq = 1; seq <= 8; seq++) {
            assertThat(client.receiveMedia(5000)).isEqualTo(WebRtcTestClient.rtp(seq, 0x42, 300));
        }
    }

    @Test
    void aSendingThreadWritesItsBatchItselfWithOneSendmmsgPerFlush() throws Exception {
        WebRtcTestClient client = client();
        WebRtcTransport transport = connect(client, new EchoSink(), new RecordingTransportListener(),
                TestDtlsClient.Options.standard());
        assertThat(server.isEpoll()).as("the worker egress needs epoll's descriptor").isTrue();
        long callsBefore = server.counters().sendmmsgCalls();
        long packetsBefore = server.counters().packetsOut();
        // A thread of its own, like an SFU worker: queues 10 datagrams, then flushes once.
        Thread worker = Thread.ofPlatform().name("test-worker").start(() -> {
            for (int seq = 1; seq <= 10; seq++) {
                byte[] p = WebRtcTestClient.rtp(seq, 0x77, 1188);
                assertThat(transport.queueRtp(p, 0, p.length)).isTrue();
            }
            assertThat(server.counters().sendmmsgCalls()).as("nothing sent before the flush").isEqualTo(callsBefore);
            server.flush();
        });
        worker.join(10_000);
        for (int seq = 1; seq <= 10; seq++) {
            assertThat(client.receiveMedia(5000)).isEqualTo(WebRtcTestClient.rtp(seq, 0x77, 1188));
        }
        assertThat(server.counters().sendmmsgCalls() - callsBefore).as("one batch, one system call").isEqualTo(1);
        assertThat(server.counters().packetsOut() - packetsBefore).isEqualTo(10);
        assertThat(server.counters().sendBufferFull() + server.counters().sendFailed()).isZero();
    }

    @Test
    void mediaAndDtlsFromUnvalidatedFiveTupleAreDropped() throws Exception { // checklist 33
        WebRtcTestClient client = client();
        EchoSink echo = new EchoSink();
        RecordingTransportListener listener = new RecordingTransportListener();
        WebRtcTransport transport = server.createTransport(client.ufrag(), client.fingerprint(), echo, listener);

        // Before any ICE check, the real client's DTLS ClientHello goes nowhere.
        byte[] dtlsJunk = {22, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
        client.sendRaw(dtlsJunk, 0, dtlsJunk.length);
        await(() -> server.counters().drops(DropReason.UNVALIDATED_SOURCE) >= 1, "drop before ICE");

        assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
        client.connectDtls(serverCert.fingerprint(), TestDtlsClient.Options.standard());
        listener.connected.get(10, TimeUnit.SECONDS);

        // An attacker on another port replays the client's valid SRTP and sends DTLS: nothing comes back.
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            attacker.setSoTimeout(300);
            long dropsBefore = server.counters().drops(DropReason.UNVALIDATED_SOURCE);
            byte[] srtp = client.protectRtp(WebRtcTestClient.rtp(1, 0xBEEF, 100));
            attacker.send(new DatagramPacket(srtp, srtp.length, server.localAddress()));
            attacker.send(new DatagramPacket(dtlsJunk, dtlsJunk.length, server.localAddress()));
            await(() -> server.counters().drops(DropReason.UNVALIDATED_SOURCE) >= dropsBefore + 2, "drops");
            assertThat(receives(attacker)).isFalse();
            assertThat(echo.rtp.get()).isZero();
            assertThat(server.srtpStats().rtpUnprotected).isZero();

            // The very same packet from the validated 5-tuple is accepted: the source made the difference.
            client.sendRaw(srtp, 0, srtp.length);
            assertThat(client.receiveMedia(5000)).isNotNull();
            assertThat(echo.rtp.get()).isEqualTo(1);
        }
    }

    @Test
    void clientCertificateNotMatchingSdpFingerprintClosesTransport() throws Exception { // checklist 34
        WebRtcTestClient client = client();
        RecordingTransportListener listener = new RecordingTransportListener();
        DtlsCertificate other = DtlsCertificate.generate("someone-else");
        // Signaling saw `other`'s fingerprint in the SDP; the DTLS peer presents clientCert.
        WebRtcTransport transport = server.createTransport(client.ufrag(), other.fingerprint(), MediaSink.DISCARD, listener);
        assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
        try {
            client.connectDtls(serverCert.fingerprint(), TestDtlsClient.Options.standard());
            throw new AssertionError("handshake must fail");
        } catch (IOException expected) {
            // refused
        }
        assertThat(listener.dtlsFailed.get(10, TimeUnit.SECONDS)).isEqualTo(DtlsFailure.FINGERPRINT_MISMATCH);
        assertThat(listener.closed.get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.DTLS_FAILED);
        assertThat(transport.isClosed()).isTrue();
        assertThat(listener.connected).isNotDone();
        await(() -> server.openTransports() == 0, "transport forgotten");
    }

    @Test
    void clientHelloFloodFromUnvalidatedSourcesGetsNoReplyAndNoState() throws Exception { // checklist 36
        WebRtcTestClient client = client();
        WebRtcTransport transport = server.createTransport(client.ufrag(), client.fingerprint(), MediaSink.DISCARD,
                new RecordingTransportListener());
        byte[] clientHello = TestDtlsClient.captureClientHello(clientCert, Fingerprint.sha256Of(serverCert.der()));
        List<DatagramSocket> sources = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                s.setSoTimeout(50);
                sources.add(s);
                for (int k = 0; k < 5; k++) s.send(new DatagramPacket(clientHello, clientHello.length, server.localAddress()));
            }
            await(() -> server.counters().drops(DropReason.UNVALIDATED_SOURCE) >= 200, "flood dropped");
            for (DatagramSocket s : sources) assertThat(receives(s)).isFalse();
            assertThat(server.dtlsStats().cookieRequestsAnswered()).isZero();
            assertThat(server.dtlsStats().inProgress()).isZero();
            assertThat(server.openTransports()).isEqualTo(1);
            assertThat(server.stunRouter().addressIndexSize()).isZero();

            // From the validated 5-tuple a ClientHello without cookie gets exactly a stateless HelloVerifyRequest.
            assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
            client.sendRaw(clientHello, 0, clientHello.length);
            await(() -> server.dtlsStats().cookieRequestsAnswered() == 1, "cookie reply");
            assertThat(server.dtlsStats().inProgress()).isZero();
        } finally {
            sources.forEach(DatagramSocket::close);
        }
    }

    @Test
    void badTagReplayAndMalformedRtpAreDroppedAndTheStreamGoesOn() throws Exception { // checklist 37, 38, 40
        WebRtcTestClient client = client();
        EchoSink echo = new EchoSink();
        connect(client, echo, new RecordingTransportListener(), TestDtlsClient.Options.standard());

        byte[] first = client.protectRtp(WebRtcTestClient.rtp(1, 0xAA, 200));
        client.sendRaw(first, 0, first.length);
        assertThat(client.receiveMedia(5000)).isNotNull();

        // 37: flip a bit of the tag.
        byte[] tampered = client.protectRtp(WebRtcTestClient.rtp(2, 0xAA, 200));
        tampered[tampered.length - 1] ^= 1;
        client.sendRaw(tampered, 0, tampered.length);
        // 38: the first packet again.
        client.sendRaw(first, 0, first.length);
        // 40: authentic, but the padding claims more bytes than the payload has.
        byte[] badPadding = WebRtcTestClient.rtp(3, 0xAA, 20);
        badPadding[0] |= 0x20;
        badPadding[badPadding.length - 1] = (byte) 200;
        client.sendRtp(badPadding);
        // 40: authentic, but the header extension length runs past the end.
        byte[] badExtension = WebRtcTestClient.rtp(4, 0xAA, 8);
        badExtension[0] |= 0x10;
        badExtension[12] = (byte) 0xBE; badExtension[13] = (byte) 0xDE; badExtension[14] = 0; badExtension[15] = 50;
        sendRtpEvenIfUnprotectable(client, badExtension);

        await(() -> server.srtpStats().authFailures >= 1 && server.srtpStats().replays >= 1
                && server.counters().drops(DropReason.MALFORMED_RTP) + server.srtpStats().invalid >= 2, "drops");

        byte[] good = WebRtcTestClient.rtp(5, 0xAA, 200);
        client.sendRtp(good);
        assertThat(client.receiveMedia(5000)).as("the stream goes on").isEqualTo(good);
        assertThat(echo.rtp.get()).isEqualTo(2);
        assertThat(client.receiveMedia(200)).isNull();
        assertThat(server.srtpStats().authFailures).isEqualTo(1);
        assertThat(server.srtpStats().replays).isEqualTo(1);
        assertThat(server.counters().drops(DropReason.MALFORMED_RTP)).isGreaterThanOrEqualTo(1);
    }

    /** jitsi-srtp may refuse to protect a header that runs past the end; then send it unprotected-but-tagged junk. */
    private static void sendRtpEvenIfUnprotectable(WebRtcTestClient client, byte[] plain) throws IOException {
        byte[] datagram;
        try {
            datagram = client.protectRtp(plain);
        } catch (IllegalStateException e) {
            datagram = java.util.Arrays.copyOf(plain, plain.length + 16);
        }
        client.sendRaw(datagram, 0, datagram.length);
    }

    @Test
    void aRestartOfThePeerAloneKeepsTheTransportAndAnswersThePeersNewUfrag() throws Exception { // issue 16
        WebRtcTestClient client = client();
        RecordingTransportListener listener = new RecordingTransportListener();
        WebRtcTransport transport = connect(client, new EchoSink(), listener, TestDtlsClient.Options.standard());
        // The peer answers an offer that kept our credentials with a new ufrag of its own (it re-created its side):
        // the transport keeps its local ufrag and entry and from now on answers the peer's new ufrag only.
        WebRtcTestClient renewed = client();
        assertThat(transport.restartIce(transport.iceCredentials(), renewed.ufrag())).isTrue();
        assertThat(transport.localUfrag()).isEqualTo(transport.iceCredentials().ufrag());
        assertThat(client.iceCheck(transport.localUfrag(), transport.localPassword(), true, 1000))
                .as("the peer's old ufrag is no longer answered").isFalse();
        assertThat(renewed.iceCheck(transport.localUfrag(), transport.localPassword(), true, 2000)).isTrue();
        assertThat(transport.remoteAddress()).isEqualTo(renewed.localAddress());
        assertThat(server.openTransports()).isEqualTo(1);
        assertThat(transport.state()).isEqualTo(WebRtcTransport.State.CONNECTED);
    }

    @Test
    void consentExpiryClosesTheTransport() throws Exception { // checklist 32 at the transport level
        WebRtcTestClient client = client();
        RecordingTransportListener listener = new RecordingTransportListener();
        WebRtcTransport transport = connect(client, new EchoSink(), listener, TestDtlsClient.Options.standard());
        clockOffset.addAndGet(TimeUnit.SECONDS.toNanos(31)); // no consent check for 31 s
        assertThat(listener.closed.get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.CONSENT_EXPIRED);
        assertThat(transport.isClosed()).isTrue();
        assertThat(transport.sendRtp(WebRtcTestClient.rtp(1, 1, 10), 0, 22)).isFalse();
        await(() -> server.openTransports() == 0, "transport forgotten");
    }

    @Test
    void junkFirstBytesAreDroppedAndCounted() throws Exception {
        WebRtcTestClient client = client();
        byte[] junk = {(byte) 70, 1, 2, 3};
        client.sendRaw(junk, 0, junk.length);
        client.sendRaw(new byte[0], 0, 0);
        await(() -> server.counters().drops(DropReason.UNKNOWN_FIRST_BYTE) == 1
                && server.counters().drops(DropReason.EMPTY) == 1, "drops");
    }

    private static boolean receives(DatagramSocket socket) throws IOException {
        try {
            socket.receive(new DatagramPacket(new byte[2048], 2048));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
