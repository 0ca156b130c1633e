package dev.chorus.server;

import dev.chorus.signaling.ws.WsSettings;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Checks values against their ranges and each other; adds one line per problem. */
final class ConfigValidator {
    private static final Pattern DEPLOYMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private ConfigValidator() {}

    static void validate(ChorusConfig c, List<String> p) {
        if (!ChorusConfig.DEV.equals(c.mode()) && !ChorusConfig.PRODUCTION.equals(c.mode())) {
            p.add("key 'mode': must be dev or production, not '" + c.mode() + "'");
        }
        boolean prod = ChorusConfig.PRODUCTION.equals(c.mode());
        if (c.deploymentId() == null || !DEPLOYMENT_ID.matcher(c.deploymentId()).matches()) {
            p.add("key 'deploymentId': 1-128 characters of A-Z a-z 0-9 . _ : - required");
        } else if (prod && ChorusConfig.DEV_DEPLOYMENT_ID.equals(c.deploymentId())) {
            p.add("key 'deploymentId': production needs its own deployment id, not the dev default '"
                    + ChorusConfig.DEV_DEPLOYMENT_ID + "'");
        }
        if (c.dataDir() == null || c.dataDir().isBlank()) {
            p.add("key 'dataDir': required");
        } else {
            Path d = path("dataDir", c.dataDir(), p);
            if (d != null && Files.exists(d) && (!Files.isDirectory(d) || !Files.isWritable(d))) {
                p.add("key 'dataDir': " + d + " exists but is not a writable directory");
            }
        }
        http(c.http(), prod, p);
        ws(c, p);
        media(c.media(), p);
        turn(c.turn(), prod, p);
        readable("webhooks.caFile", c.webhooks().caFile(), p);
        if (c.webhooks().maxPendingPerEndpoint() < 1 || c.webhooks().maxPendingPerEndpoint() > 1_000_000) {
            p.add("key 'webhooks.maxPendingPerEndpoint': must be 1..1000000");
        }
        duration("webhooks.maxRetryDelay", c.webhooks().maxRetryDelay(), Duration.ofSeconds(1), Duration.ofHours(1), p);
        metrics(c, p);
        store(c.store(), p);
        cluster(c, p);
        if (prod && c.turn().enabled() && c.turn().relayAddress() == null && loopback(c.turn().bindAddress())) {
            p.add("key 'turn.bindAddress': production TURN on a loopback address is unreachable; bind 0.0.0.0 or "
                    + "the host's address (or set turn.relayAddress)");
        }
        if (prod && c.media().announcedAddresses().isEmpty()) {
            p.add("key 'media.announcedAddresses': production needs the address(es) clients reach the media port at "
                    + "(the public or LAN IP of this host; dev mode announces 127.0.0.1 and binds loopback only)");
        }
        if (c.turn().enabled() && prod && c.turn().relayAddress() == null && wildcard(c.turn().bindAddress())
                && c.media().announcedAddresses().isEmpty()) {
            p.add("key 'turn.relayAddress': production TURN bound to a wildcard address needs the address clients reach");
        }
        if (c.turn().enabled() && c.turn().tlsPort() > 0 && c.turn().tlsPort() == c.http().port()) {
            p.add("keys 'turn.tlsPort' and 'http.port': both are TCP port " + c.http().port()
                    + " (TURNS on 443 needs HTTPS on another port or address)");
        }
        if (c.turn().enabled() && c.turn().tcpPort() != 0 && c.turn().tcpPort() == c.http().port()) {
            p.add("keys 'turn.tcpPort' and 'http.port': both are TCP port " + c.http().port());
        }
        if (c.turn().enabled() && c.turn().udpPort() != 0 && c.turn().udpPort() == c.media().udpPort()) {
            p.add("keys 'turn.udpPort' and 'media.udpPort': both are UDP port " + c.media().udpPort());
        }
    }

    private static void http(ChorusConfig.Http h, boolean prod, List<String> p) {
        ip("http.bindAddress", h.bindAddress(), p);
        port("http.port", h.port(), p);
        if (h.publicUrl() != null && !h.publicUrl().startsWith("https://")) {
            p.add("key 'http.publicUrl': must start with https://");
        }
        ChorusConfig.Tls t = h.tls();
        if ((t.certFile() == null) != (t.keyFile() == null)) {
            p.add("keys 'http.tls.certFile' and 'http.tls.keyFile': set both or neither");
        }
        readable("http.tls.certFile", t.certFile(), p);
        readable("http.tls.keyFile", t.keyFile(), p);
        if (prod && (t.certFile() == null || t.keyFile() == null)) {
            p.add("keys 'http.tls.certFile' and 'http.tls.keyFile': production needs a TLS certificate and key "
                    + "(dev mode generates a self-signed one; production never does)");
        }
        atLeast("http.maxBodyBytes", h.maxBodyBytes(), 1024, p);
        atLeast("http.maxHeaderBytes", h.maxHeaderBytes(), 1024, p);
        atLeast("http.maxRequestLineBytes", h.maxRequestLineBytes(), 256, p);
        atLeast("http.maxConnectionsPerIp", h.maxConnectionsPerIp(), 1, p);
        atLeast("http.maxInFlightRequests", h.maxInFlightRequests(), 1, p);
        duration("http.requestTimeout", h.requestTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10), p);
        duration("http.tlsHandshakeTimeout", h.tlsHandshakeTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10), p);
        duration("http.hstsMaxAge", h.hstsMaxAge(), Duration.ZERO, Duration.ofDays(800), p);
    }

    private static void ws(ChorusConfig c, List<String> p) {
        ChorusConfig.Ws w = c.ws();
        boolean ok = duration("ws.joinTimeout", w.joinTimeout(), Duration.ofMillis(100), Duration.ofMinutes(5), p)
                & duration("ws.idleTimeout", w.idleTimeout(), Duration.ofSeconds(1), Duration.ofHours(1), p)
                & duration("ws.fragmentTimeout", w.fragmentTimeout(), Duration.ofMillis(100), Duration.ofMinutes(5), p)
                & duration("ws.tokenExpiryWarning", w.tokenExpiryWarning(), Duration.ZERO, Duration.ofHours(1), p)
                & duration("ws.tokenExpiryGrace", w.tokenExpiryGrace(), Duration.ZERO, Duration.ofMinutes(10), p)
                & duration("ws.drainTimeout", w.drainTimeout(), Duration.ZERO, Duration.ofMinutes(10), p)
                & duration("ws.resumeGrace", w.resumeGrace(), Duration.ZERO, Duration.ofMinutes(5), p);
        // each limit named by its key (the settings object below would only say "limits must be positive")
        int before = p.size();
        atLeast("ws.maxFrameBytes", w.maxFrameBytes(), 128, p);
        atLeast("ws.maxMessageBytes", w.maxMessageBytes(), Math.max(128, w.maxFrameBytes()), p);
        atLeast("ws.framesPerSecond", w.framesPerSecond(), 1, p);
        atLeast("ws.frameBurst", w.frameBurst(), 1, p);
        atLeast("ws.maxErrors", w.maxErrors(), 1, p);
        atLeast("ws.maxSessionsPerIp", w.maxSessionsPerIp(), 1, p);
        atLeast("ws.maxTokenBytes", w.maxTokenBytes(), 256, p);
        ok &= p.size() == before;
        if (ok) {
            try {
                ServerSettings.ws(c);
            } catch (IllegalArgumentException e) {
                p.add("section 'ws': " + e.getMessage());
            }
        }
        try {
            ServerSettings.origins(c);
        } catch (IllegalArgumentException e) {
            p.add("key 'ws.allowedOrigins': " + e.getMessage());
        }
    }

    private static void media(ChorusConfig.Media m, List<String> p) {
        ip("media.bindAddress", m.bindAddress(), p);
        port("media.udpPort", m.udpPort(), p);
        if (m.workers() < 0 || m.workers() > 256) p.add("key 'media.workers': 0 (one per core) to 256, not " + m.workers());
        duration("media.emptyRoomGrace", m.emptyRoomGrace(), Duration.ZERO, Duration.ofHours(1), p);
        for (String a : m.announcedAddresses()) {
            if (a == null || a.isBlank() || a.length() > 253 || a.chars().anyMatch(ch -> ch <= ' ' || ch == '/')) {
                p.add("key 'media.announcedAddresses': '" + a + "' is not an address or host name");
            }
        }
    }

    private static void metrics(ChorusConfig c, List<String> p) {
        ChorusConfig.Metrics m = c.metrics();
        ip("metrics.bindAddress", m.bindAddress(), p);
        if (m.port() < -1 || m.port() > 65535) {
            p.add("key 'metrics.port': " + m.port() + " is not a port (1-65535, 0 for any free port, -1 for no listener)");
        } else if (m.port() > 0 && m.port() == c.http().port()) {
            p.add("keys 'metrics.port' and 'http.port': both are TCP port " + m.port()
                    + " (use metrics.onClientPort to serve /metrics on the client port)");
        } else if (m.port() > 0 && c.turn().enabled() && m.port() == c.turn().tcpPort()) {
            p.add("keys 'metrics.port' and 'turn.tcpPort': both are TCP port " + m.port());
        }
    }

    private static void turn(ChorusConfig.Turn t, boolean prod, List<String> p) {
        ip("turn.bindAddress", t.bindAddress(), p);
        port("turn.udpPort", t.udpPort(), p);
        port("turn.tcpPort", t.tcpPort(), p);
        if (t.enabled() && t.tcpPort() != t.udpPort()) {
            p.add("key 'turn.tcpPort': the relay listens for UDP and TCP on one port; set it equal to 'turn.udpPort'");
        }
        if (t.relayAddress() != null) ip("turn.relayAddress", t.relayAddress(), p);
        if (t.realm() == null || t.realm().isBlank()) p.add("key 'turn.realm': required");
        duration("turn.credentialTtl", t.credentialTtl(), Duration.ofSeconds(1), Duration.ofMinutes(10), p);
        for (String s : t.secrets()) {
            if (s == null || s.length() < 32) p.add("key 'turn.secrets': every secret needs at least 32 characters");
        }
        readable("turn.secretsFile", t.secretsFile(), p);
        if (t.enabled() && prod && t.secrets().isEmpty() && t.secretsFile() == null) {
            p.add("key 'turn.secrets' or 'turn.secretsFile': production TURN needs a shared secret");
        }
        if (t.enabled() && prod && t.allowLoopbackPeers()) {
            p.add("key 'turn.allowLoopbackPeers': only for tests, never in production");
        }
        if (t.relayAddressV6() != null) {
            try {
                if (!(InetAddress.ofLiteral(t.relayAddressV6()) instanceof java.net.Inet6Address)) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                p.add("key 'turn.relayAddressV6': '" + t.relayAddressV6() + "' is not an IPv6 address literal");
            }
        }
        if (t.tlsPort() != -1) port("turn.tlsPort", t.tlsPort(), p);
        if (t.enabled() && t.tlsPort() > 0 && (t.tlsPort() == t.tcpPort())) {
            p.add("keys 'turn.tlsPort' and 'turn.tcpPort': both are TCP port " + t.tlsPort());
        }
        if ((t.tls().certFile() == null) != (t.tls().keyFile() == null)) {
            p.add("keys 'turn.tls.certFile' and 'turn.tls.keyFile': set both or neither");
        }
        readable("turn.tls.certFile", t.tls().certFile(), p);
        readable("turn.tls.keyFile", t.tls().keyFile(), p);
        if (!"media".equals(t.peers()) && !"public".equals(t.peers())) {
            p.add("key 'turn.peers': 'media' (only the SFU's media addresses) or 'public', not '" + t.peers() + "'");
        }
        for (String c : t.allowPeers()) {
            if (dev.chorus.common.net.AddressRange.tryParse(c) == null) p.add("key 'turn.allowPeers': '" + c + "' is not a CIDR");
        }
        for (String c : t.denyPeers()) {
            if (dev.chorus.common.net.AddressRange.tryParse(c) == null) p.add("key 'turn.denyPeers': '" + c + "' is not a CIDR");
        }
        atLeast("turn.maxConnectionsPerSource", t.maxConnectionsPerSource(), 1, p);
        duration("turn.unauthenticatedTimeout", t.unauthenticatedTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(5), p);
    }

    private static boolean loopback(String literal) {
        try {
            return InetAddress.ofLiteral(literal).isLoopbackAddress();
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static boolean wildcard(String literal) {
        try {
            return InetAddress.ofLiteral(literal).isAnyLocalAddress();
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static void ip(String key, String v, List<String> p) {
        try {
            if (v == null) throw new IllegalArgumentException();
            InetAddress.ofLiteral(v);
        } catch (IllegalArgumentException e) {
            p.add("key '" + key + "': '" + v + "' is not an IP address literal (e.g. 127.0.0.1, 0.0.0.0, ::)");
        }
    }

    private static void port(String key, int v, List<String> p) {
        if (v < 0 || v > 65535) p.add("key '" + key + "': " + v + " is not a port (1-65535, or 0 for any free port)");
    }

    private static void atLeast(String key, int v, int min, List<String> p) {
        if (v < min) p.add("key '" + key + "': must be at least " + min + ", not " + v);
    }

    private static void readable(String key, String file, List<String> p) {
        if (file == null) return;
        Path f = path(key, file, p);
        if (f != null && !Files.isReadable(f)) {
            p.add("key '" + key + "': file " + file + " does not exist or is not readable");
        }
    }

    /**
     * The setting as a path, or null after adding a problem: a NUL character (or anything else the platform cannot
     * name a file with) is a configuration error of that key, not an exception at start-up.
     */
    private static Path path(String key, String value, List<String> p) {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            p.add("key '" + key + "': not a valid path (" + printable(e.getReason()) + ")");
            return null;
        }
    }

    /** Control characters of a value echoed in an error are shown as \\uXXXX, so the message stays one line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) b.append(String.format("\\u%04X", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }

    private static boolean duration(String key, String v, Duration min, Duration max, List<String> p) {
        try {
            Duration d = Durations.parse(v);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                p.add("key '" + key + "': " + v + " is outside " + min + " .. " + max);
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            p.add("key '" + key + "': " + e.getMessage());
            return false;
        }
    }


    private static void store(ChorusConfig.Store s, List<String> p) {
        if (!"sqlite".equals(s.type()) && !"postgres".equals(s.type())) {
            p.add("key 'store.type': must be sqlite or postgres");
            return;
        }
        if (s.pool() == null || s.pool().maxSize() < 1 || s.pool().maxSize() > 200) {
            p.add("key 'store.pool.maxSize': must be 1..200");
        }
        if (s.pool() != null) {
            duration("store.pool.connectTimeout", s.pool().connectTimeout(), Duration.ofMillis(250),
                    Duration.ofMinutes(1), p);
        }
        if ("postgres".equals(s.type())) {
            if (s.url() == null || !s.url().startsWith("jdbc:postgresql://")) {
                p.add("key 'store.url': store.type postgres needs a jdbc:postgresql://host:port/database URL");
            }
            if (s.user() == null || s.user().isBlank()) {
                p.add("key 'store.user': store.type postgres needs the database user");
            }
            if (s.passwordFile() == null) {
                p.add("key 'store.passwordFile': store.type postgres needs a file holding the database password");
            } else {
                readable("store.passwordFile", s.passwordFile(), p);
            }
        }
    }

    private static void cluster(ChorusConfig c, List<String> p) {
        ChorusConfig.Cluster k = c.cluster();
        if (k == null || !k.enabled()) return;
        if (!"postgres".equals(c.store().type())) {
            p.add("key 'cluster.enabled': cluster mode needs store.type postgres (the nodes share one database)");
        }
        if (k.nodeId() == null || !k.nodeId().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            p.add("key 'cluster.nodeId': 1-63 characters of letters, digits, '.', '_' or '-', unique per node");
        }
        if (k.publicUrl() == null || !k.publicUrl().startsWith("https://")) {
            p.add("key 'cluster.publicUrl': the https:// URL clients reach this node at (the redirect target)");
        }
        if (k.capacity() < 1) p.add("key 'cluster.capacity': must be at least 1");
        boolean hb = duration("cluster.heartbeat", k.heartbeat(), Duration.ofMillis(200), Duration.ofSeconds(5), p);
        boolean to = duration("cluster.nodeTimeout", k.nodeTimeout(), Duration.ofSeconds(1), Duration.ofSeconds(10), p);
        if (hb && to && Durations.parse(k.nodeTimeout()).compareTo(Durations.parse(k.heartbeat()).multipliedBy(2)) < 0) {
            p.add("key 'cluster.nodeTimeout': must be at least two heartbeats");
        }
        duration("cluster.resyncInterval", k.resyncInterval(), Duration.ofMillis(100), Duration.ofSeconds(30), p);
        String bus = k.bus() == null ? null : k.bus().type();
        if (!"redis".equals(bus) && !"postgres".equals(bus)) {
            p.add("key 'cluster.bus.type': must be redis or postgres");
        } else if ("redis".equals(bus) && (k.bus().url() == null || !k.bus().url().startsWith("redis://"))) {
            p.add("key 'cluster.bus.url': cluster.bus.type redis needs a redis://host:port URL");
        }
    }
}
