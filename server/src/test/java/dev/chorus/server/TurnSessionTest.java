package dev.chorus.server;

import static dev.chorus.stun.StunMessageType.CLASS_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import dev.chorus.stun.StunMessage;
import dev.chorus.turn.core.TurnRequests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in TURN relay as {@code chorus start} wires it, driven with the credential a real session receives in
 * {@code joined}: by default it relays to the SFU's own media address (even a non-public one) and nowhere else
 * (issue 15 finding 12, issue 13 defect 3), and when the session is revoked its credential stops working and its
 * allocation ends (finding 1).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TurnSessionTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    ChorusServer server;
    SSLContext trust;
    DatagramSocket udp;

    @BeforeEach
    void start() throws Exception {
        ChorusConfig cfg = ConfigLoader.load(null, Map.ofEntries(
                Map.entry("CHORUS_DATA_DIR", tmp.resolve("data").toString()),
                Map.entry("CHORUS_HTTP_PORT", "0"), Map.entry("CHORUS_MEDIA_UDP_PORT", "0"),
                Map.entry("CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"), Map.entry("CHORUS_MEDIA_WORKERS", "1"),
                Map.entry("CHORUS_TURN_ENABLED", "true"), Map.entry("CHORUS_TURN_BIND_ADDRESS", "127.0.0.1"),
                Map.entry("CHORUS_TURN_UDP_PORT", "0"), Map.entry("CHORUS_TURN_TCP_PORT", "0"),
                Map.entry("CHORUS_TURN_TLS_PORT", "0")));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(tmp.resolve("data/tls/cert.pem"));
        udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        udp.setSoTimeout(3000);
    }

    @AfterEach
    void stop() {
        if (udp != null) udp.close();
        if (server != null) server.close();
    }

    StunMessage exchange(TurnRequests c, ByteBuf request) throws Exception {
        byte[] out = ByteBufUtil.getBytes(request);
        request.release();
        udp.send(new DatagramPacket(out, out.length, server.turnAddress()));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        return c.read(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
    }

    String token(String room, String identity) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("room", room, "identity", identity))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    static JsonNode next(WsTestClient c, String type) throws Exception {
        for (int i = 0; i < 50; i++) {
            JsonNode n = JSON.readTree(c.next());
            if (n.path("type").asText().equals(type)) return n;
        }
        throw new AssertionError("no " + type);
    }

    BackendPrincipal devBackend() {
        for (ProjectKey k : server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID)) {
            if (k.algorithm() == KeyAlgorithm.HS256) {
                return new BackendPrincipal(DevProjectBootstrap.DEV_PROJECT_ID, k.kid(), KeyAlgorithm.HS256,
                        BackendPrincipal.Method.API_KEY);
            }
        }
        throw new AssertionError("no dev API key");
    }

    int allocations() {
        return server.turn().onLoop(core -> core.allocationCount());
    }

    /** Issue 10: {@code chorus start} with {@code turn.tlsPort} set opens TURN over TLS and announces it. */
    @Test
    void turnOverTlsIsOpenedAndAnnouncedWhenConfigured() throws Exception {
        try (WsTestClient a = WsTestClient.connect(trust, server.port()).join("turn-tls", token("turn-tls", "alice"))) {
            JsonNode ice = next(a, "joined").get("iceServers").get(0);
            int tlsPort = server.turn().tlsAddress().getPort();
            assertThat(ice.get("urls").toString()).contains("turns:127.0.0.1:" + tlsPort + "?transport=tcp");
            TurnRequests c = new TurnRequests(ice.get("username").asText(), ice.get("credential").asText());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);  // the relay's generated certificate: this test is about the listener, not the PKI
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ssl.getSocketFactory()
                    .createSocket("127.0.0.1", tlsPort)) {
                s.setSoTimeout(3000);
                assertThat(TurnRequests.errorCode(tlsExchange(s, c, c.allocate()))).isEqualTo(401);
                assertThat(tlsExchange(s, c, c.allocate()).messageClass()).isEqualTo(CLASS_SUCCESS);
            }
        }
    }

    static StunMessage tlsExchange(java.net.Socket s, TurnRequests c, ByteBuf request) throws Exception {
        s.getOutputStream().write(ByteBufUtil.getBytes(request));
        request.release();
        byte[] header = s.getInputStream().readNBytes(20);
        int len = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        return c.read(Unpooled.wrappedBuffer(header, s.getInputStream().readNBytes(len)));
    }

    @Test
    void theSessionsCredentialRelaysOnlyToTheSfuAndDiesWithTheRevokedSession() throws Exception {
        String token = token("turn-r1", "mallory");
        String jti = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).get("jti").asText();
        try (WsTestClient m = WsTestClient.connect(trust, server.port()).join("turn-r1", token)) {
            JsonNode ice = next(m, "joined").get("iceServers").get(0);
            assertThat(ice.get("urls").toString()).contains("turns:");
            TurnRequests c = new TurnRequests(ice.get("username").asText(), ice.get("credential").asText());
            assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).isEqualTo(401);
            assertThat(exchange(c, c.allocate()).messageClass()).isEqualTo(CLASS_SUCCESS);

            // the SFU's media address (loopback here: not a public address) is permitted without any allow-list
            InetSocketAddress sfu = server.mediaAddress();
            assertThat(exchange(c, c.createPermission(sfu)).messageClass()).as("the SFU's media address").isEqualTo(CLASS_SUCCESS);
            assertThat(exchange(c, c.channelBind(0x4000, sfu)).messageClass()).isEqualTo(CLASS_SUCCESS);
            // and nothing else: not a public address, not another loopback address
            assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(new InetSocketAddress("8.8.8.8", 5000)))))
                    .as("a public address").isEqualTo(403);
            assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(new InetSocketAddress("127.0.0.2", 5000)))))
                    .isEqualTo(403);
            assertThat(allocations()).isEqualTo(1);

            server.control().revocations().revokeToken(devBackend(), jti, "127.0.0.1");
            assertThat(m.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (allocations() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(allocations()).as("the session's allocation ended with it").isZero();

            assertThat(TurnRequests.errorCode(exchange(c, c.refresh(600)))).as("refresh").isEqualTo(401);
            assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(sfu)))).as("permission").isEqualTo(401);
            assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).as("allocate").isEqualTo(401);
            assertThat(allocations()).isZero();
        }
    }
}
