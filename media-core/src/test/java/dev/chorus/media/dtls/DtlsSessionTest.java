package dev.chorus.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real BouncyCastle DTLS client against {@link DtlsSession}, wired in memory (no sockets). */
class DtlsSessionTest {
    static DtlsCertificate serverCert;
    static DtlsCertificate clientCert;
    static ExecutorService clients;

    @BeforeAll
    static void setUp() {
        serverCert = DtlsCertificate.generate("chorus-test-server");
        clientCert = DtlsCertificate.generate("chorus-test-client");
        clients = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterAll
    static void tearDown() {
        clients.shutdownNow();
    }

    static byte[] id(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    @Test
    void certificateFingerprintIsSdpFormattedSha256() {
        String sdp = serverCert.sdpFingerprint();
        assertThat(sdp).matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(Fingerprint.parseSdp(sdp.toLowerCase().replace("sha-256", "SHA-256"))).isEqualTo(serverCert.fingerprint());
        assertThat(Fingerprint.parseSdp(sdp).matches(serverCert.der())).isTrue();
        assertThat(Fingerprint.parseSdp(sdp).matches(clientCert.der())).isFalse();
        assertThatThrownBy(() -> Fingerprint.parseSdp("sha-1 AB:CD")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fingerprint.parseSdp("sha-256 ZZ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void handshakeDerivesMatchingSrtpKeysPreferringGcm() throws Exception {
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe(id("client-1"), i -> true);
        RecordingListener listener = new RecordingListener();
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);

        TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(), TestDtlsClient.Options.standard());
        TestDtlsClient.Connected connected = clients.submit(() -> client.connect(pipe.clientTransport())).get(20, TimeUnit.SECONDS);
        SrtpKeys serverKeys = listener.connected.get(10, TimeUnit.SECONDS);

        assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(connected.keys().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        assertKeysInterwork(connected.keys(), serverKeys);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.cookieRequestsAnswered()).isEqualTo(1); // the stateless cookie exchange ran first
        assertThat(stats.inProgress()).isZero();
        assertThat(pipe.session.state()).isEqualTo(DtlsSession.State.CONNECTED);

        // The client closes: close_notify ends the server session and reports it.
        connected.transport().close();
        listener.closed.get(10, TimeUnit.SECONDS);
        assertThat(pipe.session.state()).isEqualTo(DtlsSession.State.CLOSED);
    }

    @Test
    void fallsBackToAesCmWhenClientOffersOnlyThat() throws Exception {
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), new DtlsStats());
        DtlsPipe pipe = new DtlsPipe(id("client-2"), i -> true);
        RecordingListener listener = new RecordingListener();
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
        TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(),
                TestDtlsClient.Options.standard().withSrtpProfiles(SrtpProfile.AES_CM_128_HMAC_SHA1_80.id()));
        TestDtlsClient.Connected connected = clients.submit(() -> client.connect(pipe.clientTransport())).get(20, TimeUnit.SECONDS);
        SrtpKeys serverKeys = listener.connected.get(10, TimeUnit.SECONDS);
        assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertKeysInterwork(connected.keys(), serverKeys);
        pipe.session.close();
    }

    @Test
    void closingAnEstablishedSessionSendsCloseNotifyAtOnceThoughItsThreadWaitsLong() throws Exception {
        // The session's thread waits a minute between looks at its state (a wake-up per second per participant was
        // measurable CPU): closing must wake it so that close_notify goes out now, not when the wait ends.
        assertThat(DtlsSession.ESTABLISHED_WAIT_MILLIS).isGreaterThanOrEqualTo(30_000);
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), new DtlsStats());
        DtlsPipe pipe = new DtlsPipe(id("client-close"), i -> true);
        RecordingListener listener = new RecordingListener();
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
        TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(), TestDtlsClient.Options.standard());
        clients.submit(() -> client.connect(pipe.clientTransport())).get(20, TimeUnit.SECONDS);
        listener.connected.get(10, TimeUnit.SECONDS);
        Thread.sleep(300); // the session's thread is inside its long wait now
        int sentBeforeClose = pipe.serverDatagrams.get();

        pipe.session.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pipe.serverDatagrams.get() == sentBeforeClose && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(pipe.serverDatagrams.get()).as("close_notify sent within 5 s of close()").isGreaterThan(sentBeforeClose);
        assertThat(pipe.session.state()).isEqualTo(DtlsSession.State.CLOSED);
        assertThat(listener.closed).as("onClosed reports a close the peer made, not ours").isNotDone();
    }

    @Test
    void clientCertificateNotMatchingSdpFingerprintFailsAndCloses() throws Exception { // checklist 34
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe(id("client-3"), i -> true);
        RecordingListener listener = new RecordingListener();
        DtlsCertificate impostor = DtlsCertificate.generate("impostor");
        // The SDP said clientCert; the peer presents the impostor's certificate.
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
        TestDtlsClient client = new TestDtlsClient(impostor, serverCert.fingerprint(), TestDtlsClient.Options.standard());
        Future<TestDtlsClient.Connected> attempt = clients.submit(() -> client.connect(pipe.clientTransport()));

        assertThat(listener.failed.get(15, TimeUnit.SECONDS)).isEqualTo(DtlsFailure.FINGERPRINT_MISMATCH);
        assertThatThrownBy(() -> attempt.get(15, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        assertThat(listener.connected).isNotDone();
        assertThat(pipe.session.state()).isEqualTo(DtlsSession.State.CLOSED);
        assertThat(stats.failed(DtlsFailure.FINGERPRINT_MISMATCH)).isEqualTo(1);
        assertThat(stats.inProgress()).isZero();
    }

    @Test
    void missingClientCertificateFails() throws Exception { // a certificate is required: it is what SDP vouches for
        assertRefused(TestDtlsClient.Options.standard().withoutCertificate(), DtlsFailure.NO_CLIENT_CERTIFICATE);
    }

    @Test
    void missingUseSrtpFails() throws Exception { // checklist 35
        assertRefused(TestDtlsClient.Options.standard().withoutUseSrtp(), DtlsFailure.NO_USE_SRTP);
    }

    @Test
    void unknownSrtpProfilesOnlyFails() throws Exception { // checklist 35: e.g. AES_CM_128_HMAC_SHA1_32 alone
        assertRefused(TestDtlsClient.Options.standard().withSrtpProfiles(0x0002), DtlsFailure.NO_COMMON_SRTP_PROFILE);
    }

    @Test
    void dtls10Fails() throws Exception { // checklist 35
        assertRefused(TestDtlsClient.Options.standard()
                .withVersions(ProtocolVersion.DTLSv10.only())
                .withCipherSuites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA), DtlsFailure.UNSUPPORTED_VERSION);
    }

    @Test
    void weakCipherSuiteOfferedAloneFails() throws Exception { // checklist 35
        assertRefused(TestDtlsClient.Options.standard()
                .withCipherSuites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA), DtlsFailure.NO_COMMON_CIPHER_SUITE);
        assertRefused(TestDtlsClient.Options.standard()
                .withCipherSuites(CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA), DtlsFailure.NO_COMMON_CIPHER_SUITE);
        assertRefused(TestDtlsClient.Options.standard()
                .withCipherSuites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256), DtlsFailure.NO_COMMON_CIPHER_SUITE);
    }

    private void assertRefused(TestDtlsClient.Options options, DtlsFailure expected) throws Exception {
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe(id("client-refused"), i -> true);
        RecordingListener listener = new RecordingListener();
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
        TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(), options);
        Future<TestDtlsClient.Connected> attempt = clients.submit(() -> client.connect(pipe.clientTransport()));
        assertThat(listener.failed.get(15, TimeUnit.SECONDS)).isEqualTo(expected);
        assertThatThrownBy(() -> attempt.get(15, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        assertThat(listener.connected).isNotDone();
        assertThat(pipe.session.state()).isEqualTo(DtlsSession.State.CLOSED);
        assertThat(stats.succeeded()).isZero();
        assertThat(stats.inProgress()).isZero();
    }

    @Test
    void clientHelloFloodGetsOnlyStatelessCookieReplies() throws Exception { // checklist 36
        byte[] clientHello = TestDtlsClient.captureClientHello(clientCert, serverCert.fingerprint());
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe(id("x"), i -> true);
        DtlsSession session = endpoint.newSession(clientCert.fingerprint(), pipe, new RecordingListener());
        int flood = 2_000;
        for (int i = 0; i < flood; i++) {
            session.onDatagram(id("source-" + i), clientHello, 0, clientHello.length);
        }
        assertThat(stats.cookieRequestsAnswered()).isEqualTo(flood);
        assertThat(pipe.toClient).hasSize(flood);
        assertThat(pipe.toClient.peek()[13]).isEqualTo((byte) 3); // handshake type hello_verify_request
        assertThat(session.state()).isEqualTo(DtlsSession.State.NEW); // no handshake state, no thread
        assertThat(stats.inProgress()).isZero();
        session.close();
    }

    @Test
    void concurrentHandshakesAreBoundedAndTimeOut() throws Exception { // checklist 36
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, new DtlsConfig(Duration.ofSeconds(2), 2, 16), stats);
        List<RecordingListener> listeners = new ArrayList<>();
        List<DtlsSession> sessions = new ArrayList<>();
        List<Future<?>> attempts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // Only the HelloVerifyRequest reaches the client: each started handshake then stalls until its timeout.
            DtlsPipe pipe = new DtlsPipe(id("stall-" + i), n -> n == 0);
            RecordingListener listener = new RecordingListener();
            pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
            listeners.add(listener);
            sessions.add(pipe.session);
            TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(), TestDtlsClient.Options.standard());
            DatagramTransport t = pipe.clientTransport();
            attempts.add(clients.submit(() -> client.connect(t)));
        }
        long maxInProgress = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && stats.droppedBusy() == 0) {
            maxInProgress = Math.max(maxInProgress, stats.inProgress());
            Thread.sleep(1); // sampling a gauge, not synchronising
        }
        assertThat(stats.droppedBusy()).as("cookie-verified hellos beyond the bound are dropped").isPositive();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < until && stats.failed(DtlsFailure.TIMEOUT) < 2) {
            maxInProgress = Math.max(maxInProgress, stats.inProgress());
            Thread.sleep(5); // sampling a gauge, not synchronising
        }
        assertThat(maxInProgress).isLessThanOrEqualTo(2);
        assertThat(stats.failed(DtlsFailure.TIMEOUT)).as("stalled handshakes end at the timeout").isGreaterThanOrEqualTo(2);
        sessions.forEach(DtlsSession::close);
        attempts.forEach(f -> f.cancel(true));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end && stats.inProgress() > 0) Thread.sleep(5);
        assertThat(stats.inProgress()).isZero();
        assertThat(stats.succeeded()).isZero();
    }

    static void assertKeysInterwork(SrtpKeys clientKeys, SrtpKeys serverKeys) {
        SrtpStats stats = new SrtpStats();
        try (SrtpEncryptor clientOut = SrtpEncryptor.forClient(clientKeys, 4, stats);
             SrtpDecryptor serverIn = SrtpDecryptor.forServer(serverKeys, 4, stats);
             SrtpEncryptor serverOut = SrtpEncryptor.forServer(serverKeys, 4, stats);
             SrtpDecryptor clientIn = SrtpDecryptor.forClient(clientKeys, 4, stats)) {
            byte[] packet = new byte[12 + 100 + SrtpEncryptor.MAX_OVERHEAD];
            packet[0] = (byte) 0x80;
            packet[1] = 111;
            packet[11] = 42;
            PacketBuffer view = new PacketBuffer(packet, 0, 112);
            assertThat(clientOut.protectRtp(view)).isEqualTo(SrtpResult.OK);
            assertThat(serverIn.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
            assertThat(serverOut.protectRtp(view)).isEqualTo(SrtpResult.OK);
            assertThat(clientIn.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
            assertThat(view.getLength()).isEqualTo(112);
        }
    }
}
