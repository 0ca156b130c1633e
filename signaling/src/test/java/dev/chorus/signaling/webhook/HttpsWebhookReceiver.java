package dev.chorus.signaling.webhook;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.chorus.signaling.http.TestTls;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS webhook receiver on 127.0.0.1, as an app backend would run one: it checks every request with
 * {@link WebhookReceiver} (signature, timestamp, replay) and answers 204 when accepted, 400/401/409 otherwise.
 * It can be stopped and started again on the same port (a receiver that is down).
 */
public final class HttpsWebhookReceiver implements AutoCloseable {
    /** One request as received: its signature header, body and the verdict on it. */
    public record Received(String eventId, String signature, String body, WebhookReceiver.Verdict verdict) {}

    private final TestTls tls;
    private volatile WebhookReceiver checker;
    private final Clock clock;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final int port;
    private HttpsServer server;

    /** A receiver whose secret is known up front (null: set later with {@link #useSecret}, e.g. from the API). */
    public HttpsWebhookReceiver(Path dir, byte[] secret, Clock clock) throws Exception {
        this.tls = TestTls.generate(dir);
        if (secret != null) {
            useSecret(secret);
        }
        this.clock = clock;
        start(0);
        this.port = server.getAddress().getPort();
    }

    public void useSecret(byte[] secret) {
        checker = new WebhookReceiver(secret, WebhookSignature.DEFAULT_TOLERANCE, 10_000);
    }

    /** The receiver's certificate (PEM), for a sender that must trust it. */
    public Path certFile() {
        return tls.certFile;
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + port + "/hooks/chorus");
    }

    /** A client trusting exactly this receiver's certificate. */
    public SSLContext clientContext() {
        return tls.clientContext;
    }

    public List<Received> received() {
        return received;
    }

    public List<Received> accepted() {
        return received.stream().filter(r -> r.verdict() == WebhookReceiver.Verdict.ACCEPTED).toList();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public synchronized void restart() throws Exception {
        if (server == null) {
            start(port);
        }
    }

    private void start(int onPort) throws Exception {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", onPort), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
        s.createContext("/hooks/chorus", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readNBytes(256 * 1024), StandardCharsets.UTF_8);
                String sig = ex.getRequestHeaders().getFirst(WebhookSignature.HEADER);
                WebhookReceiver c = checker;
                WebhookReceiver.Verdict v;
                synchronized (c) {
                    v = c.check(sig, body, clock.instant());
                }
                received.add(new Received(ex.getRequestHeaders().getFirst("Chorus-Event-Id"), sig, body, v));
                int status = switch (v) {
                    case ACCEPTED -> 204;
                    case REPLAYED -> 409;
                    case MALFORMED -> 400;
                    case STALE, BAD_SIGNATURE -> 401;
                };
                ex.sendResponseHeaders(status, -1);
            }
        });
        s.start();
        server = s;
    }

    private SSLContext serverContext() throws Exception {
        Certificate cert;
        try (InputStream in = Files.newInputStream(tls.certFile)) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(tls.keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(pem)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("receiver", key, new char[0], new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Override
    public void close() {
        stop();
    }
}
