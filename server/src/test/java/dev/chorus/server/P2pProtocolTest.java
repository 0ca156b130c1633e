package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.sdp.SdpFixtures;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Private peer-to-peer rooms on the wire (docs/p2p.md), against the real server with TURN on loopback and a real
 * WebSocket client: what is forwarded (with the sender attached by the server), what is refused (rights, non-relayed
 * candidates, a third participant, the other room mode), and that the SFU never sees the room.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@org.junit.jupiter.api.extension.ExtendWith(dev.chorus.media.transport.NettyLeakGuard.class)
class P2pProtocolTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RELAY_CANDIDATE = "candidate:3 1 udp 41885439 127.0.0.1 50123 typ relay raddr 0.0.0.0 rport 0";
    static final String HOST_CANDIDATE = "candidate:1 1 udp 2122260223 192.168.1.20 50123 typ host generation 0";

    @TempDir Path tmp;
    ChorusServer server;
    SSLContext trust;

    @BeforeEach
    void start() throws Exception {
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", tmp.resolve("data").toString(),
                "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_MEDIA_WORKERS", "1", "CHORUS_TURN_ENABLED", "true", "CHORUS_TURN_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_TURN_UDP_PORT", "0", "CHORUS_TURN_TCP_PORT", "0"));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(tmp.resolve("data/tls/cert.pem"));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private String token(String room, String identity, List<String> scopes, boolean p2p) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("room", room, "identity", identity, "p2p", p2p));
        if (scopes != null) body.put("scopes", scopes);
        HttpResponse<String> r = JsonHttps.send(trust, server.port(), "POST", "/dev/token", JSON.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    private WsTestClient join(String room, String identity, List<String> scopes, boolean p2p) throws Exception {
        return WsTestClient.connect(trust, server.port()).join(room, token(room, identity, scopes, p2p));
    }

    /** A Chromium offer (sendrecv audio + video) without its host candidates, as a relay-only browser sends it. */
    static String relayOnlyOffer() {
        return SdpFixtures.chromiumAudioVideoOffer().lines().filter(l -> !l.startsWith("a=candidate"))
                .collect(Collectors.joining("\r\n", "", "\r\n"));
    }

    static String msg(Object... kv) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return JSON.writeValueAsString(m);
    }

    @Test
    void descriptionsCandidatesAndMuteAreForwardedWithTheSenderTheServerKnows() throws Exception {
        try (WsTestClient a = join("pp1", "alice", null, true)) {
            JsonNode ja = a.next("joined");
            assertThat(ja.get("mode").asText()).isEqualTo("p2p");
            assertThat(ja.get("participants")).isEmpty();
            assertThat(ja.get("iceServers")).hasSize(1);
            try (WsTestClient b = join("pp1", "bob", null, true)) {
                JsonNode jb = b.next("joined");
                String aid = ja.get("participantId").asText();
                String bid = jb.get("participantId").asText();
                assertThat(jb.get("participants").get(0).get("participantId").asText()).isEqualTo(aid);
                assertThat(a.next("participantJoined").get("participant").get("identity").asText()).isEqualTo("bob");

                String sdp = relayOnlyOffer();
                a.send(msg("type", "p2pOffer", "sdp", sdp));
                JsonNode offer = b.next("p2pOffer");
                assertThat(offer.get("sdp").asText()).isEqualTo(sdp);
                assertThat(offer.get("from").get("participantId").asText()).isEqualTo(aid);
                assertThat(offer.get("from").get("identity").asText()).isEqualTo("alice");
                b.send(msg("type", "p2pAnswer", "sdp", sdp));
                assertThat(a.next("p2pAnswer").get("from").get("participantId").asText()).isEqualTo(bid);
                a.send(msg("type", "p2pCandidate", "candidate", RELAY_CANDIDATE, "sdpMid", "0", "sdpMLineIndex", 0));
                JsonNode c = b.next("p2pCandidate");
                assertThat(c.get("candidate").asText()).isEqualTo(RELAY_CANDIDATE);
                assertThat(c.get("sdpMid").asText()).isEqualTo("0");
                b.send(msg("type", "p2pMute", "trackId", "1", "muted", true));
                JsonNode mute = a.next("p2pMute");
                assertThat(mute.get("muted").asBoolean()).isTrue();
                assertThat(mute.get("from").get("participantId").asText()).isEqualTo(bid);

                // refused, nothing forwarded: non-relayed candidates, a spoofed sender, SFU messages
                a.send(msg("type", "p2pCandidate", "candidate", HOST_CANDIDATE));
                assertThat(a.next("error").get("code").asText()).isEqualTo("candidate_not_relayed");
                a.send(msg("type", "p2pOffer", "sdp", SdpFixtures.chromiumAudioVideoOffer()));
                assertThat(a.next("error").get("code").asText()).isEqualTo("candidate_not_relayed");
                a.send(msg("type", "p2pOffer", "sdp", sdp, "from", Map.of("participantId", "p_x")));
                assertThat(a.next("error").get("code").asText()).isEqualTo("bad_message");
                a.send(msg("type", "p2pOffer", "sdp", "v=0 garbage"));
                assertThat(a.next("error").get("code").asText()).isEqualTo("bad_sdp");
                a.send(msg("type", "publish", "sdp", sdp));
                assertThat(a.next("error").get("code").asText()).isEqualTo("not_in_call");
                a.send("{\"type\":\"ping\"}");
                a.next("pong");
                b.send("{\"type\":\"ping\"}");
                assertThat(b.next()).as("nothing reached bob").contains("\"pong\"");
                assertThat(server.sfu().room("dev/pp1")).as("the SFU never has the room").isEmpty();

                // a third participant, and an SFU token for the room, are refused with a clear reason
                try (WsTestClient c3 = join("pp1", "carol", null, true)) {
                    WsTestClient.Closed closed = c3.awaitClose(10);
                    assertThat(closed.code()).isEqualTo(WsCloseCodes.ROOM_FULL);
                    assertThat(closed.reason()).isEqualTo("p2p room full");
                }
                try (WsTestClient d = join("pp1", "dave", null, false)) {
                    WsTestClient.Closed closed = d.awaitClose(10);
                    assertThat(closed.code()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
                    assertThat(closed.reason()).isEqualTo("room mode mismatch");
                }
                b.send("{\"type\":\"leave\"}");
                assertThat(a.next("participantLeft").get("participantId").asText()).isEqualTo(bid);
                a.send(msg("type", "p2pOffer", "sdp", sdp));
                assertThat(a.next("error").get("code").asText()).isEqualTo("no_peer");
            }
        }
        // an SFU room refuses p2p tokens while it is in use
        try (WsTestClient s = join("pp2", "sam", null, false)) {
            s.next("joined");
            try (WsTestClient p = join("pp2", "pia", null, true)) {
                assertThat(p.awaitClose(10).reason()).isEqualTo("room mode mismatch");
            }
        }
    }

    @Test
    void whatADescriptionSendsMustBeAllowedToTheSenderAndToTheReceiver() throws Exception {
        String sdp = relayOnlyOffer();
        try (WsTestClient a = join("pp3", "audio-only", List.of("room:join", "media:publish:audio", "media:subscribe"), true);
             WsTestClient b = join("pp3", "listener", List.of("room:join"), true)) {
            a.next("joined");
            b.next("joined");
            a.send(msg("type", "p2pOffer", "sdp", sdp));
            assertThat(a.next("error").get("code").asText()).as("video without media:publish:video")
                    .isEqualTo("publish_not_allowed");
            int video = sdp.indexOf("m=video");
            String audioOnly = sdp.substring(0, video) + sdp.substring(video).replace("a=sendrecv", "a=recvonly");
            a.send(msg("type", "p2pOffer", "sdp", audioOnly));
            assertThat(a.next("error").get("code").asText()).as("bob has no media:subscribe")
                    .isEqualTo("peer_not_allowed");
            String recvOnly = audioOnly.replace("a=sendrecv", "a=recvonly");
            a.send(msg("type", "p2pOffer", "sdp", recvOnly));
            assertThat(b.next("p2pOffer").get("sdp").asText()).as("receiving only is fine").isEqualTo(recvOnly);
        }
    }
}
