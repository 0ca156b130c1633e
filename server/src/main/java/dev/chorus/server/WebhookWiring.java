package dev.chorus.server;

import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.webhook.AuditEventBridge;
import dev.chorus.signaling.webhook.RetryPolicy;
import dev.chorus.signaling.webhook.WebhookDispatcher;
import dev.chorus.signaling.webhook.WebhookMetrics;
import dev.chorus.signaling.webhook.Webhooks;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Starts webhook delivery for a node: the dispatcher, its HTTPS client, and the audit-trail tap. */
final class WebhookWiring {
    private WebhookWiring() {}

    static Webhooks start(ChorusConfig.Webhooks cfg, boolean dev, ControlPlane control, MeterRegistry registry)
            throws ConfigException {
        WebhookMetrics metrics = new WebhookMetrics(registry);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could lead past the destination check
                .sslContext(sslContext(cfg.caFile()))
                .build();
        WebhookDispatcher dispatcher = new WebhookDispatcher(control.store().webhooks(), http, Clock.systemUTC(),
                new RetryPolicy(RetryPolicy.DEFAULT.first(), Durations.parse(cfg.maxRetryDelay()),
                        RetryPolicy.DEFAULT.maxAge()), dev || cfg.allowPrivateDestinations(), metrics).start();
        Webhooks webhooks = new Webhooks(control.store().webhooks(), dispatcher, Clock.systemUTC(),
                cfg.maxPendingPerEndpoint(), metrics);
        control.audit().onAppend(new AuditEventBridge(webhooks));
        return webhooks;
    }

    /** The JDK's trusted CAs, plus those of {@code caFile} when set. */
    private static SSLContext sslContext(String caFile) throws ConfigException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (caFile == null) {
                ctx.init(null, null, null);
                return ctx;
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
            }
            List<TrustManager> tms = new ArrayList<>();
            tms.add(new CombinedTrust(trustManager(null), trustManager(ks)));
            ctx.init(null, tms.toArray(TrustManager[]::new), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("key 'webhooks.caFile': " + e.getMessage());
        }
    }

    private static X509TrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Trusts a server chain that either the JDK's CAs or the configured ones accept. */
    private record CombinedTrust(X509TrustManager jdk, X509TrustManager extra) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws
                java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("not a server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            try {
                extra.checkServerTrusted(chain, authType);
            } catch (java.security.cert.CertificateException e) {
                jdk.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = jdk.getAcceptedIssuers();
            X509Certificate[] b = extra.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
