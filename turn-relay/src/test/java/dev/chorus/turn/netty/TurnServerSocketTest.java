package dev.chorus.turn.netty;

import static dev.chorus.stun.StunAttributes.*;
import static dev.chorus.stun.StunMessageType.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.stun.StunMessage;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.turn.core.TurnRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SECURITY-CHECKLIST 43–48 over real sockets on loopback, plus relaying and metrics. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TurnServerSocketTest {
    TurnServer server;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DatagramSocket socket;

    @AfterEach
    void tearDown() {
        if (socket != null) socket.close();
        if (server != null) server.stop();
    }

    void start(boolean allowLoopback) throws Exception {
        start(TurnTestServers.config(allowLoopback));
    }

    void start(TurnConfig config) throws Exception {
        server = new TurnServer(config, registry);
        server.start();
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(2000);
    }

    TurnRequests creds(String id, int ttl) {
        String user = (System.currentTimeMillis() / 1000 + ttl) + ":" + id;
        return new TurnRequests(user, SecretRing.password(TurnTestServers.SECRET.getBytes(), user));
    }

    void send(ByteBuf b) throws Exception {
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        socket.send(new DatagramPacket(bytes, bytes.length, server.udpAddress()));
    }

    ByteBuf receive() throws Exception {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Unpooled.wrappedBuffer(buf, 0, p.getLength());
    }

    StunMessage exchange(TurnRequests c, ByteBuf request) throws Exception {
        send(request);
        return c.read(receive());
    }

    StunMessage allocate(TurnRequests c) throws Exception {
        StunMessage challenge = exchange(c, c.allocate());
        assertThat(TurnRequests.errorCode(challenge)).isEqualTo(401);
        return exchange(c, c.allocate());
    }

    static int code(StunMessage m) {
        return TurnRequests.errorCode(m);
    }

    @Test
    void unauthenticatedAndWrongCredentialsAre401AndRateLimitedPerSource() throws Exception {
        start(false);
        TurnRequests c = creds("alice", 300);
        StunMessage first = exchange(c, c.allocate());
        assertThat(code(first)).isEqualTo(401);
        c.password = "wrong";
        assertThat(code(exchange(c, c.allocate()))).isEqualTo(401);
        int answered = 0;
        for (int i = 0; i < 60; i++) send(c.allocate());
        socket.setSoTimeout(300);
        try {
            while (answered < 100) {
                receive();
                answered++;
            }
        } catch (SocketTimeoutException done) {
            // no more answers
        }
        assertThat(answered).as("answers to a burst of 60 bad requests").isLessThanOrEqualTo(20);
        int allocations = server.onLoop(core -> core.allocationCount());
        assertThat(allocations).isZero();
        assertThat(registry.get("chorus.turn.refusals").tag("reason", "rate_limited").functionCounter().count()).isPositive();
        assertThat(registry.get("chorus.turn.refusals").tag("reason", "unauthorized").functionCounter().count()).isPositive();
    }

    @Test
    void malformedExpiredAndRetiredCredentialsAre401() throws Exception {
        start(false);
        for (String user : List.of("abc:def", "-5:x", (System.currentTimeMillis() / 1000 + 60) + ":a:b",
                (System.currentTimeMillis() / 1000 - 1) + ":late")) {
            TurnRequests c = new TurnRequests(user, SecretRing.password(TurnTestServers.SECRET.getBytes(), user));
            assertThat(code(allocate(c))).as(user).isEqualTo(401);
        }
        server.secrets().replace(List.of("a-brand-new-secret-0123456789", TurnTestServers.SECRET));
        TurnRequests during = creds("rot", 300);
        assertThat(allocate(during).messageClass()).as("old secret still works during rotation").isEqualTo(CLASS_SUCCESS);
        server.secrets().replace(List.of("a-brand-new-secret-0123456789"));
        assertThat(code(exchange(during, during.refresh(600)))).as("retired secret").isEqualTo(401);
    }

    @Test
    void loopbackMetadataAndOwnPortsAre403InEveryEncodingByDefault() throws Exception {
        start(false);
        TurnRequests c = creds("alice", 300);
        assertThat(allocate(c).messageClass()).isEqualTo(CLASS_SUCCESS);
        byte[][] forbidden = {
                {127, 0, 0, 1},
                v6("::1"), mapped(127, 0, 0, 1), v6("::7f00:1"), v6("64:ff9b::7f00:1"), v6("2002:7f00:1::"),
                v6("2001:0:7f00:1::"), v6("fe80::5efe:7f00:1"),
                {(byte) 169, (byte) 254, (byte) 169, (byte) 254}, mapped(169, 254, 169, 254), v6("64:ff9b::a9fe:a9fe"),
                v6("fd00:ec2::254"), {100, 100, 100, (byte) 200}, {10, 0, 0, 1}, {(byte) 192, (byte) 168, 1, 1}};
        for (byte[] peer : forbidden) {
            assertThat(code(exchange(c, c.createPermissionRaw(peer, 0)))).isEqualTo(403);
            assertThat(code(exchange(c, c.channelBindRaw(0x4000, peer, 9)))).isEqualTo(403);
        }
    }

    @Test
    void relaysToAnAllowedPeerButNeverIntoItsOwnPorts() throws Exception {
        start(true);
        relayScenario();
    }

    @Test
    void theNioTransportRelaysToo() throws Exception {
        start(TurnTestServers.config(true).withNativeTransport(false));
        assertThat(server.usesEpoll()).isFalse();
        relayScenario();
    }

    void relayScenario() throws Exception {
        TurnRequests c = creds("alice", 300);
        StunMessage ok = allocate(c);
        InetSocketAddress relayed = ok.xorAddress(ok.indexOf(XOR_RELAYED_ADDRESS));
        int own = server.udpAddress().getPort();
        assertThat(code(exchange(c, c.channelBindRaw(0x4000, new byte[] {127, 0, 0, 1}, own)))).isEqualTo(403);
        assertThat(code(exchange(c, c.channelBindRaw(0x4000, mapped(127, 0, 0, 1), own)))).isEqualTo(403);
        assertThat(code(exchange(c, c.channelBindRaw(0x4000, v6("::1"), own)))).isEqualTo(403);
        assertThat(code(exchange(c, c.createPermissionRaw(new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254}, 0))))
                .as("allowing loopback does not open metadata").isEqualTo(403);

        try (DatagramSocket peer = peerOffTheServersOwnPorts()) {
            peer.setSoTimeout(2000);
            InetSocketAddress peerAddr = (InetSocketAddress) peer.getLocalSocketAddress();
            StunMessage bound = exchange(c, c.channelBind(0x4001, peerAddr));
            assertThat(bound.messageClass()).as("ChannelBind to %s answered %s", peerAddr,
                    bound.messageClass() == CLASS_SUCCESS ? "success" : String.valueOf(code(bound))).isEqualTo(CLASS_SUCCESS);
            byte[] payload = "srtp-bytes-we-cannot-read".getBytes();
            send(TurnRequests.channelData(0x4001, payload, false));
            DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            peer.receive(got);
            assertThat(got.getPort()).isEqualTo(relayed.getPort());
            assertThat(java.util.Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(payload);
            peer.send(new DatagramPacket(payload, payload.length, relayed));
            ByteBuf back = receive();
            assertThat(back.getUnsignedShort(0)).isEqualTo(0x4001);
            assertThat(ByteBufUtil.getBytes(back, 4, back.getUnsignedShort(2))).isEqualTo(payload);
        }
        assertThat(registry.get("chorus.turn.allocations").gauge().value()).isEqualTo(1);
        assertThat(registry.get("chorus.turn.relayed.packets").tag("direction", "to_peer").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("chorus.turn.relayed.bytes").tag("direction", "to_client").functionCounter().count()).isEqualTo(25);
        assertThat(registry.get("chorus.turn.refusals").tag("reason", "forbidden_peer").functionCounter().count()).isEqualTo(4);

        assertThat(exchange(c, c.refresh(0)).messageClass()).isEqualTo(CLASS_SUCCESS);
        assertThat(registry.get("chorus.turn.allocations").gauge().value()).isZero();
    }

    /**
     * A UDP peer on loopback whose port is none of the server's listener ports. The TLS listener takes an ephemeral
     * TCP port, and a UDP socket can draw the same number; the policy then (rightly) refuses it as an own port, which
     * is not what the relay scenario is about. Bounded: a handful of binds at most.
     */
    private DatagramSocket peerOffTheServersOwnPorts() throws Exception {
        java.util.Set<Integer> own = new java.util.HashSet<>();
        own.add(server.udpAddress().getPort());
        if (server.tlsAddress() != null) own.add(server.tlsAddress().getPort());
        for (int i = 0; i < 10; i++) {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            if (!own.contains(s.getLocalPort())) return s;
            s.close();
        }
        throw new IllegalStateException("no UDP port apart from the server's own");
    }

    @Test
    void allocationQuotaPerUserOverRealSockets() throws Exception {
        server = new TurnServer(TurnTestServers.config(false).withSettings(
                TurnTestServers.config(false).settings().withQuotas(1, 100, 8, 1_000_000, 1_000_000)), registry);
        server.start();
        TurnRequests c = creds("alice", 300);
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket = a;
            socket.setSoTimeout(2000);
            assertThat(allocate(c).messageClass()).isEqualTo(CLASS_SUCCESS);
            socket = b;
            socket.setSoTimeout(2000);
            c.nonce = null;
            assertThat(code(allocate(c))).isEqualTo(486);
        } finally {
            socket = null;
        }
    }

    @Test
    void turnsWithAConfiguredCertificate(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.security.KeyPairGenerator kpg = java.security.KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        java.security.KeyPair kp = kpg.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=configured-turn");
        var holder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                new java.util.Date(System.currentTimeMillis() - 86_400_000L),
                new java.util.Date(System.currentTimeMillis() + 86_400_000L), name, kp.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        java.nio.file.Path cert = dir.resolve("turn.crt");
        java.nio.file.Path key = dir.resolve("turn.key");
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(java.nio.file.Files.newBufferedWriter(cert))) {
            w.writeObject(holder);
        }
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(java.nio.file.Files.newBufferedWriter(key))) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null));
        }
        TurnConfig base = TurnTestServers.config(false);
        TurnConfig cfg = new TurnConfig(base.bindAddress(), base.port(), 0, cert, key, base.secrets(), base.settings(),
                base.allow(), base.deny(), base.mediaAddresses(), true);
        server = new TurnServer(cfg, registry);
        server.start();
        X509Certificate seen = tlsChallenge();
        assertThat(seen.getSubjectX500Principal().getName()).isEqualTo("CN=configured-turn");
    }

    @Test
    void turnsOverTlsAnswersWithA401Challenge() throws Exception {
        TurnConfig cfg = TurnTestServers.config(false);
        server = new TurnServer(cfg, registry);
        server.start();
        assertThat(tlsChallenge().getSubjectX500Principal().getName()).isEqualTo("CN=chorus-turn");
    }

    /** Sends an unauthenticated Allocate over TLS, checks the 401, returns the server's certificate. */
    X509Certificate tlsChallenge() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        // the certificate is self-signed; this checks the TURN framing over TLS and which certificate is served
        ssl.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.tlsAddress().getPort())) {
            s.setSoTimeout(5000);
            TurnRequests c = creds("alice", 300);
            ByteBuf req = c.allocate();
            OutputStream out = s.getOutputStream();
            out.write(ByteBufUtil.getBytes(req));
            out.flush();
            req.release();
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(20);
            int len = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            byte[] body = in.readNBytes(len);
            StunMessage m = c.read(Unpooled.wrappedBuffer(header, body));
            assertThat(m.messageType()).isEqualTo(type(METHOD_ALLOCATE, CLASS_ERROR));
            assertThat(code(m)).isEqualTo(401);
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void garbageOverUdpAndTcpNeverBreaksTheServer() throws Exception {
        TurnConfig cfg = TurnTestServers.config(true);
        start(cfg.withSettings(cfg.settings().withUnauthorizedLimit(10_000, 10_000)));  // answers must not run dry here
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(200)];
            r.nextBytes(b);
            if (b.length >= 20 && r.nextBoolean()) {  // looks like STUN or ChannelData at first glance
                b[0] = (byte) (r.nextBoolean() ? 0x00 : 0x40);
                b[4] = 0x21; b[5] = 0x12; b[6] = (byte) 0xA4; b[7] = 0x42;
            }
            socket.send(new DatagramPacket(b, b.length, server.udpAddress()));
        }
        for (int i = 0; i < 20; i++) {
            try (java.net.Socket tcp = new java.net.Socket(InetAddress.getLoopbackAddress(), server.tcpAddress().getPort())) {
                byte[] b = new byte[r.nextInt(300) + 1];
                r.nextBytes(b);
                tcp.getOutputStream().write(b);
            }
        }
        // still serving, and nothing blew up inside the core
        TurnRequests c = creds("after-garbage", 300);
        socket.setSoTimeout(3000);
        while (true) {  // drain answers the garbage may have produced (bounded by the receive timeout)
            socket.setSoTimeout(200);
            try {
                receive();
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        socket.setSoTimeout(3000);
        StunMessage m = exchange(c, c.allocate());
        assertThat(m.messageType()).isEqualTo(type(METHOD_ALLOCATE, CLASS_ERROR));
        assertThat(server.coreErrors()).isZero();
        long malformed = server.onLoop(core -> core.refusals(dev.chorus.turn.core.Refusal.MALFORMED));
        assertThat(malformed).isPositive();
    }

    @Test
    void startFailsCleanlyWhenThePortIsTaken() throws Exception {
        start(false);
        TurnConfig clash = TurnTestServers.config(false).withPorts(server.udpAddress().getPort(), -1);
        TurnServer second = new TurnServer(clash, new SimpleMeterRegistry());
        org.assertj.core.api.Assertions.assertThatThrownBy(second::start).isInstanceOf(Exception.class);
        assertThat(second.isRunning()).isFalse();
        second.stop();  // idempotent after a failed start
    }

    @Test
    void aTcpAllocationEndsWithItsConnectionAndConnectionsAreCapped() throws Exception {
        start(TurnTestServers.config(false).withMaxStreamConnections(2));
        TurnRequests c = creds("tcp-user", 300);
        try (java.net.Socket tcp = new java.net.Socket(InetAddress.getLoopbackAddress(), server.tcpAddress().getPort())) {
            tcp.setSoTimeout(3000);
            assertThat(code(tcpExchange(tcp, c, c.allocate()))).isEqualTo(401);
            assertThat(tcpExchange(tcp, c, c.allocate()).messageClass()).isEqualTo(CLASS_SUCCESS);
            int open = server.onLoop(core -> core.allocationCount());
            assertThat(open).isEqualTo(1);
            try (java.net.Socket second = new java.net.Socket(InetAddress.getLoopbackAddress(), server.tcpAddress().getPort());
                 java.net.Socket third = new java.net.Socket(InetAddress.getLoopbackAddress(), server.tcpAddress().getPort())) {
                third.setSoTimeout(3000);
                assertThat(third.getInputStream().read()).as("over the cap: closed at once").isEqualTo(-1);
                assertThat(second.isConnected()).isTrue();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int left = 1;
        while (left != 0 && System.nanoTime() < deadline) {  // the close is seen asynchronously by the server
            left = server.onLoop(core -> core.allocationCount());
            if (left != 0) Thread.onSpinWait();
        }
        assertThat(left).as("allocation freed with its TCP connection").isZero();
        assertThat(server.rejectedConnections()).isEqualTo(1);
    }

    /**
     * Issue 15 finding 14: thousands of idle unauthenticated TCP connections from one source neither fill the global
     * cap (a per-source cap refuses them first) nor stay (no allocation in time: closed), so a legitimate client from
     * another address still allocates.
     */
    @Test
    void idleUnauthenticatedTcpConnectionsFromOneSourceCannotLockOutAnotherAddress() throws Exception {
        start(TurnTestServers.config(false).withMaxStreamConnections(60).withStreamLimits(8, 1));
        InetAddress attacker = InetAddress.getByName("127.0.0.1");
        List<java.net.Socket> flood = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {  // more than the global cap, from one source
                java.net.Socket s = new java.net.Socket();
                s.bind(new InetSocketAddress(attacker, 0));
                s.connect(server.tcpAddress(), 3000);
                s.setSoTimeout(5000);
                flood.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.rejectedConnections() < 192 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(server.rejectedConnections()).as("refused beyond the per-source cap").isEqualTo(192);
            assertThat(server.streamConnections()).isEqualTo(8);

            TurnRequests c = creds("legit", 300);
            try (java.net.Socket legit = new java.net.Socket()) {
                legit.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                legit.connect(server.tcpAddress(), 3000);
                legit.setSoTimeout(3000);
                assertThat(code(tcpExchange(legit, c, c.allocate()))).isEqualTo(401);
                assertThat(tcpExchange(legit, c, c.allocate()).messageClass()).isEqualTo(CLASS_SUCCESS);

                // the flood's survivors never allocated: closed after the unauthenticated timeout (1 s here)
                int closed = 0;
                for (java.net.Socket s : flood) {
                    try {
                        if (s.getInputStream().read() == -1) closed++;
                    } catch (java.io.IOException reset) {
                        closed++;
                    }
                }
                assertThat(closed).isEqualTo(200);
                assertThat(server.unauthenticatedTimeouts()).isEqualTo(8);
                assertThat((int) server.onLoop(core -> core.allocationCount())).as("the legitimate allocation stays").isEqualTo(1);
            }
        } finally {
            for (java.net.Socket s : flood) s.close();
        }
    }

    /** Issue 10: IPv6 allocations over real sockets: a relay on ::1 reaches an IPv6 peer and back. */
    @Test
    void anIpv6AllocationRelaysToAnIpv6PeerOverRealSockets() throws Exception {
        InetAddress v6loop = InetAddress.getByName("::1");
        TurnConfig base = TurnTestServers.config(true);
        start(base.withSettings(base.settings().withRelayAddressV6(v6loop)));
        TurnRequests c = creds("alice6", 300);
        assertThat(code(exchange(c, c.allocate()))).isEqualTo(401);
        StunMessage ok = exchange(c, c.request(dev.chorus.stun.StunMessageType.METHOD_ALLOCATE, x -> x
                .addRequestedTransport(dev.chorus.stun.StunAttributes.TRANSPORT_UDP)
                .addInt(dev.chorus.stun.StunAttributes.REQUESTED_ADDRESS_FAMILY, 0x02000000)));
        assertThat(ok.messageClass()).isEqualTo(CLASS_SUCCESS);
        InetSocketAddress relayed = ok.xorAddress(ok.indexOf(XOR_RELAYED_ADDRESS));
        assertThat(relayed.getAddress()).isEqualTo(v6loop);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(v6loop, 0))) {
            peer.setSoTimeout(2000);
            InetSocketAddress peerAddr = new InetSocketAddress(v6loop, peer.getLocalPort());
            assertThat(code(exchange(c, c.createPermission(new InetSocketAddress("127.0.0.1", 4000))))).as("IPv4 peer")
                    .isEqualTo(443);
            assertThat(exchange(c, c.channelBind(0x4002, peerAddr)).messageClass()).isEqualTo(CLASS_SUCCESS);
            byte[] payload = "v6-bytes".getBytes();
            send(TurnRequests.channelData(0x4002, payload, false));
            DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            peer.receive(got);
            assertThat(java.util.Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(payload);
            assertThat(got.getPort()).isEqualTo(relayed.getPort());
            peer.send(new DatagramPacket(payload, payload.length, relayed));
            ByteBuf back = receive();
            assertThat(back.getUnsignedShort(0)).isEqualTo(0x4002);
            assertThat(ByteBufUtil.getBytes(back, 4, back.getUnsignedShort(2))).isEqualTo(payload);
            back.release();
        }
    }

    static StunMessage tcpExchange(java.net.Socket s, TurnRequests c, ByteBuf request) throws Exception {
        s.getOutputStream().write(ByteBufUtil.getBytes(request));
        request.release();
        byte[] header = s.getInputStream().readNBytes(20);
        int len = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] body = s.getInputStream().readNBytes(len);
        return c.read(Unpooled.wrappedBuffer(header, body));
    }

    @Test
    void credentialsFromTheIssuerAllocateAndShareTheServersRotation() throws Exception {
        start(false);
        var issuer = new dev.chorus.turn.auth.TurnCredentialIssuer(server.secrets(), java.time.Duration.ofMinutes(10),
                List.of("turn:127.0.0.1:" + server.udpAddress().getPort() + "?transport=udp"), java.time.Clock.systemUTC());
        var credential = issuer.issue(java.time.Instant.now().plusSeconds(3600));
        assertThat(credential.expiresAtEpochSeconds() - System.currentTimeMillis() / 1000).isBetween(590L, 600L);
        TurnRequests c = new TurnRequests(credential.username(), credential.password());
        assertThat(allocate(c).messageClass()).isEqualTo(CLASS_SUCCESS);
        server.secrets().replace(List.of("the-next-secret-0123456789"));
        var next = issuer.issue(java.time.Instant.now().plusSeconds(60));
        assertThat(next.password()).as("issued under the new first secret").isNotEqualTo(
                SecretRing.password(TurnTestServers.SECRET.getBytes(), next.username()));
        assertThat(code(exchange(c, c.refresh(600)))).as("the old credential is retired with its secret").isEqualTo(401);
    }

    static byte[] v6(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] mapped(int a, int b, int c, int d) {
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        m[12] = (byte) a;
        m[13] = (byte) b;
        m[14] = (byte) c;
        m[15] = (byte) d;
        return m;
    }
}
