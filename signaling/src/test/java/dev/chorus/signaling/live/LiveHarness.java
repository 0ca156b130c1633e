package dev.chorus.signaling.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.sfu.Sfu;
import dev.chorus.media.sfu.SfuConfig;
import dev.chorus.media.sfu.SfuPeer;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.call.CallService;
import dev.chorus.signaling.call.CallSettings;
import dev.chorus.signaling.call.IceServerProvider;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsSettings;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The control edge wired as the server wires it (call layer + live authorization), on the real media transport
 * and SFU, all on 127.0.0.1; participants are WebSocket clients with Java WebRTC peers (real ICE, DTLS, SRTP).
 * Projects, keys and rooms come from {@link ControlFixture} (acme: ACL mode on by default).
 */
final class LiveHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final ControlFixture fx = new ControlFixture();
    final ChorusMetrics metrics = new ChorusMetrics(false);
    final ControlPlane control;
    final TestTls tls;
    final MediaTransportServer media;
    final Sfu sfu;
    final ExecutorService callExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());
    final CallService calls;
    final ControlEdge edge;
    final int port;
    final List<AutoCloseable> closeables = new ArrayList<>();

    LiveHarness() throws Exception {
        this(Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    LiveHarness(Duration expiryWarning, Duration expiryGrace) throws Exception {
        this(expiryWarning, expiryGrace, Duration.ZERO);
    }

    /** With session resume kept for {@code resumeGrace} after a dropped connection (docs/protocol.md). */
    LiveHarness(Duration expiryWarning, Duration expiryGrace, Duration resumeGrace) throws Exception {
        tls = TestTls.generate(Files.createDirectories(fx.dir.resolve("tls")));
        control = new ControlPlane(fx.store, fx.audit, ControlFixture.AUDIENCE, fx.clock, metrics.registry());
        media = new MediaTransportServer(MediaTransportConfig.loopback(), DtlsCertificate.generate("live-test")).start();
        sfu = new Sfu(SfuConfig.defaults().withWorkers(1), media).start();
        calls = new CallService(sfu, fx.store, IceServerProvider.NONE, CallSettings.DEFAULTS, callExecutor)
                .audit(fx.audit);
        HttpSettings http = new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(5), 64, 31_536_000L, 64);
        WsSettings ws = new WsSettings("/v1/ws", Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(2),
                256 * 1024, 256 * 1024, 200, 400, 20, 64, 8192).withTokenExpiry(expiryWarning, expiryGrace)
                .withResumeGrace(resumeGrace);
        edge = new ControlEdge(http, ws, tls.serverContext, control, metrics, fx.clock, List.of(), calls, calls,
                r -> { });
        calls.register(edge.protocol());
        calls.rightsSource(edge.live()::mediaRights);
        edge.live().addListener(calls::updateRights);
        port = edge.start().getPort();
    }

    /** A join token of acme for room-a signed with the ES256 key, for {@code identity} with {@code scope}. */
    ObjectNode claims(String identity, String scope) {
        ObjectNode c = fx.claims();
        c.put("sub", identity);
        c.put("scope", scope);
        return c;
    }

    static ObjectNode policy(List<String> allow, List<String> deny) {
        ObjectNode p = JSON.createObjectNode();
        ObjectNode s = p.putObject("subscribe");
        allow.forEach(s.putArray("allow")::add);
        deny.forEach(s.putArray("deny")::add);
        return p;
    }

    Peer join(String token) throws Exception {
        Peer p = new Peer(WsTestClient.connect(tls.clientContext, port).join(ControlFixture.ROOM, token));
        closeables.add(p);
        p.await("joined");
        return p;
    }

    String basicAcme() {
        return "Basic " + Base64.getEncoder().encodeToString((fx.hsKid + ":" + fx.hsSecret)
                .getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basicAcme())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basicAcme()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One participant: its WebSocket, every message it got, and its publish/subscribe WebRTC peers. */
    final class Peer implements AutoCloseable {
        /** The current connection (a session resume replaces it). */
        WsTestClient ws;
        final List<JsonNode> seen = new ArrayList<>();
        WebRtcTestClient publisher;
        WebRtcTestClient subscriber;
        String participantId;

        Peer(WsTestClient ws) {
            this.ws = ws;
        }

        /** The next message of {@code type} (earlier ones of other types are kept in {@link #seen}). */
        JsonNode await(String type) throws Exception {
            return awaitWithin(type, 10_000);
        }

        JsonNode awaitWithin(String type, long millis) throws Exception {
            for (JsonNode n : seen) {
                if (type.equals(n.path("type").asText()) && !n.has("_used")) {
                    ((ObjectNode) n).put("_used", true);
                    return n;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < deadline) {
                String m = ws.next();
                if (m == null) {
                    if (ws.isClosed()) break;
                    continue;
                }
                JsonNode n = JSON.readTree(m);
                seen.add(n);
                if ("joined".equals(n.path("type").asText())) participantId = n.path("participantId").asText();
                if (type.equals(n.path("type").asText())) {
                    ((ObjectNode) n).put("_used", true);
                    return n;
                }
            }
            throw new AssertionError("no " + type + " within " + millis + " ms; seen " + seen);
        }

        /** Publishes one video track (mid "v") and connects the publish transport. */
        void publishVideo(long ssrc) throws Exception {
            publisher = new WebRtcTestClient(media.localAddress());
            String offer = publisher.publishOffer(List.of(new WebRtcTestClient.TestTrack("video", "v", ssrc, -1)));
            ObjectNode m = JSON.createObjectNode().put("type", "publish").put("sdp", offer);
            ws.send(m.toString());
            publisher.connect(await("publishAnswer").get("sdp").asText());
            awaitTransport("publish");
        }

        /** Answers the next subscriber offer (connecting the subscribe transport the first time). */
        JsonNode acceptOffer() throws Exception {
            JsonNode offer = await("subscriberOffer");
            String sdp = offer.get("sdp").asText();
            boolean first = subscriber == null;
            if (first) subscriber = new WebRtcTestClient(media.localAddress());
            ws.send(JSON.createObjectNode().put("type", "subscriberAnswer").put("sdp", subscriber.answer(sdp, false))
                    .toString());
            if (first) {
                subscriber.connect(sdp);
                awaitTransport("subscribe");
            }
            return offer;
        }

        private void awaitTransport(String role) throws Exception {
            for (int i = 0; i < 4; i++) {
                if (role.equals(await("transportConnected").path("role").asText())) return;
            }
            throw new AssertionError("transport " + role + " not connected");
        }

        int received() {
            return subscriber == null ? 0 : subscriber.bufferedMedia();
        }

        /** Receives RTP until {@code millis} pass without any; returns how many packets came. */
        int drain(long millis) throws InterruptedException {
            if (subscriber == null) return 0;
            int n = 0;
            while (subscriber.receiveRtp(millis) != null) n++;
            return n;
        }

        @Override
        public void close() {
            ws.close();
            if (publisher != null) publisher.close();
            if (subscriber != null) subscriber.close();
        }
    }

    /** RTP as a browser sends it: one-byte header extensions transport-cc (id 3) and mid (id 4). */
    static byte[] rtp(int pt, int seq, long ts, long ssrc, String mid, int payloadLength) {
        byte[] p = new byte[24 + payloadLength];
        p[0] = (byte) 0x90;
        p[1] = (byte) pt;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (ts >> 24); p[5] = (byte) (ts >> 16); p[6] = (byte) (ts >> 8); p[7] = (byte) ts;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        p[12] = (byte) 0xBE; p[13] = (byte) 0xDE; p[14] = 0; p[15] = 2;
        p[16] = 0x31; p[17] = (byte) (seq >> 8); p[18] = (byte) seq;
        p[19] = 0x40; p[20] = (byte) mid.charAt(0);
        for (int i = 0; i < payloadLength; i++) p[24 + i] = (byte) (i * 31 + seq * 7);
        return p;
    }

    /** Polls {@code condition} with a 20 s deadline (the SFU tests' own wait, from the media-core test-jar). */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SfuPeer.await(condition, what);
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        edge.close();
        sfu.stop();
        media.stop();
        callExecutor.shutdownNow();
        metrics.close();
        fx.close();
    }
}
