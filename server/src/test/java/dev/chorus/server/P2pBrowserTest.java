package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.turn.auth.RestUsername;
import dev.chorus.turn.core.TurnCore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A private peer-to-peer room (docs/p2p.md) with the real server as {@code chorus start} wires it (TURN on loopback,
 * no loopback allow-list: only the p2p policy lets one relay allocation reach the other) and two real Chromium
 * pages running the real SDK: each decodes the other's video over one relay-only RTCPeerConnection whose DTLS runs
 * between the two browsers (each side's remote certificate is the other's own), the relay's counters rise while the
 * SFU never sees a packet of the room; a third participant is refused with a clear reason, a join with an SFU token
 * too; revoking one participant's token closes its session and its TURN allocation, and the other stops receiving.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class P2pBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Per page: join with a dev token (p2p or not), publish fake camera + microphone, read the one connection. */
    static final String HELPERS = """
            if (!window.P) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.P = { Chorus, events: [] };
              P.token = async (room, identity, p2p) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room, identity, p2p }) });
                if (!r.ok) throw new Error('dev token: ' + r.status);
                return (await r.json()).token;
              };
              P.join = async (name, room, p2p) => {
                const token = await P.token(room, name, p2p);
                const jti = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).jti;
                try {
                  const c = await Chorus.connect({ token, room });
                  P.c = c;
                  c.on('track', d => P.events.push('track ' + d.kind));
                  c.on('participantLeft', () => P.events.push('participantLeft'));
                  c.on('closed', d => P.events.push('closed ' + d.code + ' ' + d.reason));
                  c.on('error', e => P.events.push('error ' + e.code));
                  c.on('reconnecting', d => P.events.push('reconnecting ' + d.reason));
                  c.on('iceRestart', d => P.events.push('iceRestart ' + d.role));
                  const ws = c._ws;
                  if (ws) ws.addEventListener('close', ev => P.events.push('wsclose ' + ev.code + ' ' + ev.reason));
                  await c.publish({ audio: true, video: true });
                  return JSON.stringify({ ok: true, participantId: c.participantId, mode: c.mode, jti,
                                          turnUser: c.iceServers[0].username,
                                          oneConnection: c.publisher === c.subscriber,
                                          policy: c.subscriber.getConfiguration().iceTransportPolicy });
                } catch (e) {
                  return JSON.stringify({ ok: false, code: e.code, closeCode: e.closeCode, message: e.message });
                }
              };
              P.stats = async () => {
                const out = { frames: 0, videoBytes: 0, audioBytes: 0, local: null, remote: null, dtls: null,
                              localCert: null, remoteCert: null, events: P.events };
                const pc = P.c && P.c.subscriber;
                if (!pc) return JSON.stringify(out);
                const r = await pc.getStats();
                let pairId = null, transport = null;
                r.forEach(s => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') { out.frames += s.framesDecoded || 0; out.videoBytes += s.bytesReceived || 0; }
                  if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioBytes += s.bytesReceived || 0;
                  if (s.type === 'transport' && s.selectedCandidatePairId && s.dtlsState === 'connected') {
                    pairId = s.selectedCandidatePairId; transport = s;
                  }
                });
                const pair = pairId && r.get(pairId);
                if (pair) {
                  out.local = r.get(pair.localCandidateId).candidateType;
                  out.remote = r.get(pair.remoteCandidateId).candidateType;
                }
                // the certificate each side's DTLS verified: from the stats, else the fingerprint it checked it against
                const fp = (d) => { const m = d && /a=fingerprint:\\S+ (\\S+)/.exec(d.sdp); return m ? m[1] : null; };
                if (transport) {
                  out.dtls = transport.dtlsState;
                  const lc = r.get(transport.localCertificateId), rc = r.get(transport.remoteCertificateId);
                  out.localCert = lc ? lc.fingerprint : fp(pc.currentLocalDescription);
                  out.remoteCert = rc ? rc.fingerprint : fp(pc.currentRemoteDescription);
                }
                return JSON.stringify(out);
              };
            }
            """;

    static BrowserCallFixture fixture;
    static ChorusServer server;
    static ChromiumHarness chromium;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-p2p-", Map.of(
                "CHORUS_TURN_ENABLED", "true",
                "CHORUS_TURN_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_TURN_UDP_PORT", "0",
                "CHORUS_TURN_TCP_PORT", "0",
                "CHORUS_METRICS_PORT", "0"), HELPERS);
        server = fixture.server;
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static JsonNode join(String tab, String name, String room, boolean p2p) throws Exception {
        chromium.switchTo(tab);
        return JSON.readTree((String) chromium.async(HELPERS + "return await P.join(args[0], args[1], args[2]);",
                name, room, p2p));
    }

    static JsonNode stats(String tab) throws Exception {
        chromium.switchTo(tab);
        return JSON.readTree((String) chromium.async(HELPERS + "return await P.stats();"));
    }

    @Test
    void twoBrowsersTalkThroughTheRelayOnlyAThirdIsRefusedAndARevokeEndsTheSessionAndItsAllocation() throws Exception {
        String room = "p2p-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        String first = chromium.tab();
        String url = BrowserCallFixture.pageUrl("127.0.0.1", server);
        List<String> tabs = List.of(chromium.newTab(url), chromium.newTab(url));
        String annTab = tabs.get(0);
        String bobTab = tabs.get(1);

        JsonNode ann = join(annTab, "ann", room, true);
        JsonNode bob = join(bobTab, "bob", room, true);
        for (JsonNode j : List.of(ann, bob)) {
            assertThat(j.path("ok").asBoolean()).as(j.toString()).isTrue();
            assertThat(j.path("mode").asText()).isEqualTo("p2p");
            assertThat(j.path("oneConnection").asBoolean()).as("one RTCPeerConnection to the other peer").isTrue();
            assertThat(j.path("policy").asText()).isEqualTo("relay");
        }

        // both decode the other's video, over a relay-to-relay pair, DTLS between the two browsers
        JsonNode[] last = new JsonNode[2];
        boolean flowing = ChromiumHarness.await(() -> {
            try {
                last[0] = stats(annTab);
                last[1] = stats(bobTab);
                return last[0].path("frames").asLong() > 3 && last[1].path("frames").asLong() > 3
                        && last[0].hasNonNull("remoteCert") && last[1].hasNonNull("remoteCert");
            } catch (Exception e) {
                return false;
            }
        }, 30);
        assertThat(flowing).as("both decode the other's video: ann %s bob %s", last[0], last[1]).isTrue();
        for (JsonNode s : last) {
            assertThat(s.path("local").asText()).isEqualTo("relay");
            assertThat(s.path("remote").asText()).isEqualTo("relay");
            assertThat(s.path("dtls").asText()).isEqualTo("connected");
            assertThat(s.path("audioBytes").asLong()).isPositive();
        }
        assertThat(last[0].path("remoteCert").asText()).as("ann's DTLS peer is bob's browser itself")
                .isEqualTo(last[1].path("localCert").asText()).isNotEmpty();
        assertThat(last[1].path("remoteCert").asText()).isEqualTo(last[0].path("localCert").asText()).isNotEmpty();

        // the relay carries it, the SFU never saw the room
        String before = scrape();
        long relayedBefore = (long) value(before, "chorus_turn_relayed_packets_total{direction=\"to_peer\"}");
        Thread.sleep(1000);
        String metrics = scrape();
        assertThat(value(metrics, "chorus_turn_relayed_packets_total{direction=\"to_peer\"}"))
                .as("the relay's counters rise").isGreaterThan(relayedBefore + 50);
        assertThat(value(metrics, "chorus_turn_relayed_packets_total{direction=\"to_client\"}")).isPositive();
        assertThat(value(metrics, "chorus_srtp_packets_total{kind=\"rtp\"}")).as("SFU SRTP").isZero();
        assertThat(value(metrics, "chorus_srtp_packets_total{kind=\"rtcp\"}")).as("SFU SRTP").isZero();
        assertThat(server.sfu().room(DevProjectBootstrap.DEV_PROJECT_ID + "/" + room)).as("no SFU room").isEmpty();
        assertThat(value(metrics, "chorus_p2p_participants")).isEqualTo(2);
        assertThat(value(metrics, "chorus_p2p_signals_total{type=\"p2pOffer\"}")).isPositive();
        assertThat(value(metrics, "chorus_p2p_signals_total{type=\"p2pCandidate\"}")).isPositive();
        String annTurn = RestUsername.opaqueId(ann.path("turnUser").asText());
        String bobTurn = RestUsername.opaqueId(bob.path("turnUser").asText());
        assertThat(allocationsOf(annTurn)).as("ann's relay allocations").isPositive();
        assertThat(allocationsOf(bobTurn)).as("bob's relay allocations").isPositive();
        int total = allocations();

        // a third participant is refused with a clear reason; an SFU token for the room as well
        JsonNode carol = join(first, "carol", room, true);
        assertThat(carol.path("ok").asBoolean()).isFalse();
        assertThat(carol.path("closeCode").asInt()).isEqualTo(4006);
        assertThat(carol.path("code").asText()).isEqualTo("room_full");
        assertThat(carol.path("message").asText()).isEqualTo("p2p room full");
        JsonNode dave = join(first, "dave", room, false);
        assertThat(dave.path("closeCode").asInt()).isEqualTo(4003);
        assertThat(dave.path("message").asText()).isEqualTo("room mode mismatch");
        assertThat(allocations()).as("the refused ones got no credential").isEqualTo(total);

        // revoking bob's token closes his session and his TURN allocation; ann stops receiving
        server.control().revocations().revokeToken(devBackend(), bob.path("jti").asText(), "127.0.0.1");
        assertThat(ChromiumHarness.await(() -> allocationsOf(bobTurn) == 0, 5)).as("bob's allocations ended").isTrue();
        assertThat(ChromiumHarness.await(() -> {
            try {
                return stats(bobTab).path("events").toString().contains("closed 4004");
            } catch (Exception e) {
                return false;
            }
        }, 5)).as("bob's session closed as revoked").isTrue();
        assertThat(ChromiumHarness.await(() -> {
            try {
                return stats(annTab).path("events").toString().contains("participantLeft");
            } catch (Exception e) {
                return false;
            }
        }, 5)).isTrue();
        long annVideo = stats(annTab).path("videoBytes").asLong();
        long relayed = (long) value(scrape(), "chorus_turn_relayed_packets_total{direction=\"to_client\"}");
        Thread.sleep(1500);
        assertThat(stats(annTab).path("videoBytes").asLong()).as("ann receives nothing any more").isEqualTo(annVideo);
        assertThat(value(scrape(), "chorus_turn_relayed_packets_total{direction=\"to_client\"}"))
                .as("nothing relayed to a client any more").isEqualTo(relayed);

        // audited like every join, marked as p2p
        String audit = Files.readString(server.dataDir().resolve(ControlPlane.AUDIT_FILE));
        assertThat(audit.lines().filter(l -> l.contains("\"action\":\"join\"") && l.contains("\"mode\":\"p2p\""))
                .count()).as(audit).isGreaterThanOrEqualTo(2);
        assertThat(audit).contains("p2p_room_full", "room_mode_mismatch");
    }

    static int allocations() {
        return server.turn().onLoop(TurnCore::allocationCount);
    }

    static int allocationsOf(String opaqueId) {
        return server.turn().onLoop(c -> c.allocationsOf(opaqueId));
    }

    static String scrape() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsAddress().getPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one series of the exposition, 0 when absent. */
    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static BackendPrincipal devBackend() {
        for (ProjectKey k : server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID)) {
            if (k.algorithm() == KeyAlgorithm.HS256) {
                return new BackendPrincipal(DevProjectBootstrap.DEV_PROJECT_ID, k.kid(), KeyAlgorithm.HS256,
                        BackendPrincipal.Method.API_KEY);
            }
        }
        throw new AssertionError("no dev API key");
    }
}
