package dev.chorus.signaling.http;

import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Test TLS material: a freshly generated self-signed certificate (the same code dev mode uses), the server
 * context, and clients that trust exactly that certificate. Reusable by other modules through the test-jar.
 */
public final class TestTls {
    public final Path certFile;
    public final Path keyFile;
    public final SslContext serverContext;
    public final SSLContext clientContext;

    private TestTls(Path certFile, Path keyFile) throws Exception {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.serverContext = TlsMaterial.serverContext(certFile, keyFile);
        this.clientContext = trusting(certFile);
    }

    public static TestTls generate(Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TlsMaterial.generateSelfSigned(cert, key, Duration.ofDays(1));
        return new TestTls(cert, key);
    }

    public static TestTls load(Path cert, Path key) throws Exception {
        return new TestTls(cert, key);
    }

    /** A client SSLContext whose only trust anchor is the given PEM certificate. */
    public static SSLContext trusting(Path certPem) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("chorus", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    public HttpClient httpClient() {
        return HttpClient.newBuilder().sslContext(clientContext).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A connected, handshaken TLS socket with a read timeout. */
    public SSLSocket socket(int port) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }
}
