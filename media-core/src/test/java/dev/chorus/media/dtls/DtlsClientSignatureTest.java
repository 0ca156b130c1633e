package dev.chorus.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chorus.media.srtp.SrtpKeys;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Which client certificates and CertificateVerify signatures the DTLS server accepts (issue 13, defect 1): every
 * signature algorithm the CertificateRequest lists must verify. A client library (OpenSSL 3 in GStreamer's
 * webrtcbin) picks the first RSA algorithm we list for its RSA key, which is RSA-PSS; BouncyCastle's JCA crypto
 * could not verify that on the JDK's providers and the handshake died with internal_error(80).
 */
class DtlsClientSignatureTest {
    static DtlsCertificate serverCert;
    static DtlsCertificate ecCert;
    static DtlsCertificate rsaCert;
    static ExecutorService clients;

    @BeforeAll
    static void setUp() {
        serverCert = DtlsCertificate.generate("chorus-test-server");
        ecCert = DtlsCertificate.generate("ec-client");
        rsaCert = TestDtlsClient.generateRsaCertificate("rsa-client", 2048);
        clients = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterAll
    static void tearDown() {
        clients.shutdownNow();
    }

    @Test
    void rsaClientSigningWithRsaPssRsaeSha256Connects() throws Exception {
        assertConnects(rsaCert, SignatureAndHashAlgorithm.rsa_pss_rsae_sha256);
    }

    @Test
    void certificateRequestListsRsaPssAndEcdsaFirst() {
        List<SignatureAndHashAlgorithm> offered = new DtlsCrypto(new SecureRandom()).verifiableSignatureAlgorithms();
        assertThat(offered.getFirst())
                .isEqualTo(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        assertThat(offered).contains(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
    }

    /** Every algorithm the server offers in its CertificateRequest really verifies: none is listed on faith. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("offeredAlgorithms")
    void everyOfferedSignatureAlgorithmVerifies(SignatureAndHashAlgorithm algorithm) throws Exception {
        boolean rsa = algorithm.getSignature() != SignatureAlgorithm.ecdsa;
        assertConnects(rsa ? rsaCert : ecCert, algorithm);
    }

    static Stream<SignatureAndHashAlgorithm> offeredAlgorithms() {
        return new DtlsCrypto(new SecureRandom()).verifiableSignatureAlgorithms().stream();
    }

    @Test
    void aFailedHandshakeIsLoggedOnceWithItsAlertAndCause() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(DtlsFailureLog.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), new DtlsStats());
            DtlsCertificate impostor = DtlsCertificate.generate("impostor");
            for (int attempt = 0; attempt < 2; attempt++) { // the same cause twice: one WARN
                DtlsPipe pipe = new DtlsPipe(("mismatch-" + attempt).getBytes(StandardCharsets.US_ASCII), i -> true);
                RecordingListener listener = new RecordingListener();
                pipe.session = endpoint.newSession(ecCert.fingerprint(), pipe, listener);
                TestDtlsClient client = new TestDtlsClient(impostor, serverCert.fingerprint(), TestDtlsClient.Options.standard());
                Future<?> running = clients.submit(() -> client.connect(pipe.clientTransport()));
                assertThat(listener.failed.get(15, TimeUnit.SECONDS)).isEqualTo(DtlsFailure.FINGERPRINT_MISMATCH);
                running.cancel(true);
            }
            List<ILoggingEvent> warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.getFirst().getFormattedMessage())
                    .contains("reason=fingerprint_mismatch", "alert=sent bad_certificate");
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void failureLineNamesTheAlertAndTheUnderlyingJcaError() {
        // What the RSA-PSS failure looked like before the fix, and what an operator now reads.
        NoSuchAlgorithmException missing = new NoSuchAlgorithmException("SHA256WITHRSAANDMGF1 Signature not available");
        TlsFatalAlert thrown = new TlsFatalAlert(AlertDescription.internal_error, missing);
        ChorusTlsServer.AlertRecord alert = new ChorusTlsServer.AlertRecord(true, AlertDescription.internal_error,
                null, thrown);
        String line = DtlsFailureLog.describe(DtlsFailure.NEGOTIATION, alert, thrown);
        assertThat(line).isEqualTo("DTLS handshake failed: reason=negotiation, alert=sent internal_error(80), "
                + "cause=java.security.NoSuchAlgorithmException: SHA256WITHRSAANDMGF1 Signature not available");

        DtlsFailureLog log = new DtlsFailureLog();
        assertThat(log.report(DtlsFailure.NEGOTIATION, alert, thrown)).isTrue();
        assertThat(log.report(DtlsFailure.NEGOTIATION, alert, thrown)).isFalse();
        assertThat(log.report(DtlsFailure.TIMEOUT, null, new java.io.IOException("timed out"))).isTrue();
    }

    private static void assertConnects(DtlsCertificate clientCert, SignatureAndHashAlgorithm signature) throws Exception {
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(serverCert, DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe("signature-client".getBytes(StandardCharsets.US_ASCII), i -> true);
        RecordingListener listener = new RecordingListener();
        pipe.session = endpoint.newSession(clientCert.fingerprint(), pipe, listener);
        TestDtlsClient client = new TestDtlsClient(clientCert, serverCert.fingerprint(),
                TestDtlsClient.Options.standard().signingWith(signature));
        Future<TestDtlsClient.Connected> attempt = clients.submit(() -> client.connect(pipe.clientTransport()));
        java.util.concurrent.CompletableFuture.anyOf(listener.connected, listener.failed).get(15, TimeUnit.SECONDS);
        assertThat(listener.failed).as("server-side failure for %s", signature).isNotDone();
        SrtpKeys serverKeys = listener.connected.get();
        TestDtlsClient.Connected connected = attempt.get(15, TimeUnit.SECONDS);
        assertThat(connected.keys().profile()).isEqualTo(serverKeys.profile());
        assertThat(stats.succeeded()).isEqualTo(1);
        pipe.session.close();
    }
}
