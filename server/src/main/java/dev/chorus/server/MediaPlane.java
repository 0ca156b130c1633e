package dev.chorus.server;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.DtlsConfig;
import dev.chorus.media.metrics.MediaTransportMetrics;
import dev.chorus.media.sfu.Sfu;
import dev.chorus.media.sfu.SfuConfig;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.turn.auth.TurnCredentialIssuer;
import dev.chorus.turn.core.TurnSettings;
import dev.chorus.turn.netty.TurnConfig;
import dev.chorus.turn.netty.TurnServer;
import dev.chorus.common.net.AddressRange;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The media and TURN planes of a node, from the {@code media:} and {@code turn:} config sections: the UDP media
 * transport, the SFU on top of it, and (when enabled) the TURN relay with its credential issuer. Starts all or
 * nothing; stops in reverse order (SFU rooms first, so participants are closed before their transports' socket).
 */
final class MediaPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaPlane.class);

    final MediaTransportServer media;
    final Sfu sfu;
    final TurnServer turn;
    final TurnCredentialIssuer turnCredentials;

    private MediaPlane(MediaTransportServer media, Sfu sfu, TurnServer turn, TurnCredentialIssuer turnCredentials) {
        this.media = media;
        this.sfu = sfu;
        this.turn = turn;
        this.turnCredentials = turnCredentials;
    }

    static MediaPlane start(ChorusConfig cfg, MeterRegistry registry) throws ConfigException, IOException {
        ChorusConfig.Media m = cfg.media();
        List<InetAddress> announced = new ArrayList<>();
        for (String a : m.announcedAddresses()) {
            try {
                announced.add(InetAddress.getByName(a));
            } catch (UnknownHostException e) {
                throw new ConfigException("key 'media.announcedAddresses': cannot resolve '" + a + "'");
            }
        }
        MediaTransportConfig mtc = new MediaTransportConfig(InetAddress.ofLiteral(m.bindAddress()), m.udpPort(),
                announced, 10_000, 32, true, 32, 4 << 20, DtlsConfig.defaults());
        MediaTransportServer media = new MediaTransportServer(mtc, DtlsCertificate.generate("chorus"));
        Sfu sfu = null;
        TurnServer turn = null;
        try {
            try {
                media.start();
            } catch (IOException e) {
                throw new IOException("media UDP port " + m.bindAddress() + ":" + m.udpPort() + " (key 'media.udpPort'): "
                        + e.getMessage(), e);
            }
            SfuConfig sc = SfuConfig.defaults().withEmptyRoomGraceMillis(Durations.parse(m.emptyRoomGrace()).toMillis());
            if (m.workers() > 0) sc = sc.withWorkers(m.workers());
            sfu = new Sfu(sc, media).start();
            new MediaTransportMetrics(media, sfu.inboundSrtpStats()).bindTo(registry);
            sfu.metrics().bindTo(registry);
            new dev.chorus.media.datarelay.DataRelayMetrics(sfu.dataCounters()).bindTo(registry);
            TurnCredentialIssuer issuer = null;
            if (cfg.turn().enabled()) {
                ChorusConfig.Turn t = cfg.turn();
                InetAddress relay = relayAddress(cfg, announced);
                TurnSettings settings = TurnSettings.defaults(relay);
                if (t.relayAddressV6() != null) settings = settings.withRelayAddressV6(InetAddress.ofLiteral(t.relayAddressV6()));
                Path cert = pathOrNull(t.tls().certFile() != null ? t.tls().certFile() : cfg.http().tls().certFile());
                Path key = pathOrNull(t.tls().certFile() != null ? t.tls().keyFile() : cfg.http().tls().keyFile());
                TurnConfig tc = new TurnConfig(InetAddress.ofLiteral(t.bindAddress()), t.udpPort(), t.tlsPort(), cert, key,
                        secrets(cfg), settings, allow(t), ranges(t.denyPeers()), mediaAddresses(media), true)
                        .withPublicPeers("public".equals(t.peers()))
                        .withStreamLimits(t.maxConnectionsPerSource(),
                                (int) Math.max(1, Durations.parse(t.unauthenticatedTimeout()).toSeconds()));
                turn = new TurnServer(tc, registry);
                try {
                    turn.start();
                } catch (Exception e) {
                    throw new IOException("TURN ports " + t.bindAddress() + ":" + t.udpPort() + " (keys 'turn.udpPort', "
                            + "'turn.tlsPort', 'turn.tls'): " + e.getMessage(), e);
                }
                int port = turn.udpAddress().getPort();
                String host = relay.getHostAddress().contains(":") ? "[" + relay.getHostAddress() + "]" : relay.getHostAddress();
                List<String> urls = new ArrayList<>(List.of("turn:" + host + ":" + port + "?transport=udp",
                        "turn:" + host + ":" + port + "?transport=tcp"));
                if (turn.tlsAddress() != null) {
                    urls.add("turns:" + tlsHost(cfg, host) + ":" + turn.tlsAddress().getPort() + "?transport=tcp");
                }
                issuer = new TurnCredentialIssuer(turn.secrets(), Durations.parse(t.credentialTtl()), urls,
                        java.time.Clock.systemUTC());
            }
            log.info("event=media_started udp={} candidates={} workers={} turn={}", media.localAddress(),
                    media.candidates(), sc.workers(), turn == null ? "off" : turn.udpAddress());
            return new MediaPlane(media, sfu, turn, issuer);
        } catch (Exception e) {
            if (turn != null) turn.stop();
            if (sfu != null) sfu.stop();
            media.stop();
            if (e instanceof IOException io) throw io;
            if (e instanceof ConfigException ce) throw ce;
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IOException("media plane failed to start: " + e.getMessage(), e);
        }
    }

    private static InetAddress relayAddress(ChorusConfig cfg, List<InetAddress> announced) throws ConfigException {
        ChorusConfig.Turn t = cfg.turn();
        if (t.relayAddress() != null) return InetAddress.ofLiteral(t.relayAddress());
        InetAddress bind = InetAddress.ofLiteral(t.bindAddress());
        if (!bind.isAnyLocalAddress()) return bind;
        if (!announced.isEmpty()) return announced.getFirst();
        if (cfg.isDev()) return InetAddress.getLoopbackAddress();
        throw new ConfigException("key 'turn.relayAddress': required when TURN binds a wildcard address");
    }

    /** Shared secrets: inline, from the secrets file, or (dev mode only, none configured) one random per process. */
    private static List<String> secrets(ChorusConfig cfg) throws IOException, ConfigException {
        ChorusConfig.Turn t = cfg.turn();
        List<String> out = new ArrayList<>(t.secrets());
        if (t.secretsFile() != null) {
            for (String line : Files.readAllLines(Path.of(t.secretsFile()))) {
                if (!line.isBlank()) out.add(line.trim());
            }
        }
        if (out.isEmpty()) {
            if (!cfg.isDev()) throw new ConfigException("key 'turn.secrets': production TURN needs a shared secret");
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }
        return out;
    }

    private static List<AddressRange> allow(ChorusConfig.Turn t) {
        List<AddressRange> out = new ArrayList<>(ranges(t.allowPeers()));
        if (t.allowLoopbackPeers()) out.addAll(List.of(AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128")));
        return out;
    }

    private static List<AddressRange> ranges(List<String> cidrs) {
        return cidrs.stream().map(AddressRange::parse).toList();  // validated by ConfigValidator
    }

    /**
     * The SFU's own media addresses, which relayed clients must reach even when they are private (an SFU inside a
     * VPC or a container network): every address its ICE candidates announce, and the bound one.
     */
    private static List<InetAddress> mediaAddresses(MediaTransportServer media) {
        List<InetAddress> out = new ArrayList<>();
        for (InetSocketAddress c : media.candidates()) if (!out.contains(c.getAddress())) out.add(c.getAddress());
        InetAddress bound = media.localAddress().getAddress();
        if (!bound.isAnyLocalAddress() && !out.contains(bound)) out.add(bound);
        return out;
    }

    /** The host of the {@code turns:} URL: TLS clients check the certificate against it. */
    private static String tlsHost(ChorusConfig cfg, String relayHost) {
        if (cfg.turn().tlsHost() != null) return cfg.turn().tlsHost();
        String url = cfg.http().publicUrl();
        if (url != null) {
            String h = java.net.URI.create(url).getHost();
            if (h != null) return h;
        }
        return relayHost;
    }

    private static Path pathOrNull(String p) {
        return p == null ? null : Path.of(p);
    }

    /** The media UDP address actually bound (ephemeral port resolved). */
    InetSocketAddress mediaAddress() {
        return media.localAddress();
    }

    @Override
    public void close() {
        try {
            sfu.stop();
        } finally {
            try {
                media.stop();
            } finally {
                if (turn != null) turn.stop();
            }
        }
    }
}
