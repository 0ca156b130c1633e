package dev.chorus.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpOfferBuilder;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.transport.ChromiumHarness;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real peer we did not write: headless Chromium against our SDP and ICE-lite agent, both directions of
 * negotiation. Chromium starts DTLS (first byte 20–63) from the 5-tuple our agent validated as soon as a check
 * succeeded (observed: possibly before it nominates, so DTLS must be gated on {@link IceLiteAgent#isValidated},
 * not on the selected address), and nominates our candidate with USE-CANDIDATE. DTLS itself is the dtls-srtp
 * branch's test; here the ClientHello is only observed.
 */
class ChromiumIceLiteTest {
    private static Sdp.Fingerprint randomFingerprint() {
        byte[] fp = new byte[32];
        ThreadLocalRandom.current().nextBytes(fp);
        return new Sdp.Fingerprint("sha-256", HexFormat.ofDelimiter(":").withUpperCase().formatHex(fp));
    }

    private static final String ANSWERER_PAGE = """
            <!doctype html><html><body><script>
            const post = (path, body) => fetch(path, {method: 'POST', body});
            (async () => {
              try {
                const pc = new RTCPeerConnection();
                const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
                s.getTracks().forEach(t => pc.addTrack(t, s));
                pc.oniceconnectionstatechange = () => post('/state', pc.iceConnectionState);
                await pc.setLocalDescription(await pc.createOffer());
                const answer = await (await post('/offer', pc.localDescription.sdp)).text();
                await pc.setRemoteDescription({type: 'answer', sdp: answer});
                await post('/result', 'ok');
              } catch (e) { await post('/result', 'ERR ' + e); }
            })();
            </script></body></html>""";

    /** Chromium offers audio+video; we answer with SdpAnswerBuilder; its checks pass our router. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chromiumAcceptsOurAnswerAndConnectsToOurIceLiteAgent() throws Exception {
        ChromiumHarness.require();
        IceDirectory directory = new IceDirectory(8);
        StunRouter router = new StunRouter(directory);
        AtomicReference<IceLiteAgent> agent = new AtomicReference<>();
        Sdp.Fingerprint fingerprint = randomFingerprint();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress candidate = (InetSocketAddress) udp.getLocalSocketAddress();
            UnaryOperator<String> answerer = body -> {
                try {
                    SessionDescription offer = SdpParser.parse(body);
                    MediaDescription first = offer.media().get(0);
                    IceLiteAgent a = directory.create(offer.iceUfrag(first), System.nanoTime());
                    agent.set(a);
                    return SdpWriter.write(new SdpAnswerBuilder(offer, a.localCredentials(), fingerprint)
                            .candidate(candidate).codecs("opus", "VP8").build());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            try (ChromiumHarness chromium = new ChromiumHarness(ANSWERER_PAGE, Map.of("/offer", answerer))) {
                chromium.open();
                IceOutcome ice = runIce(udp, router, 40,
                        o -> o.dtlsFrom() != null && agent.get() != null && agent.get().selectedAddress() != null);
                // ICE is done on our side; the page posts its result a moment later (it once lost that race in CI).
                assertThat(ChromiumHarness.await(() -> chromium.events().contains("/result ok"), 10))
                        .as("page reported its result; page events %s", chromium.events()).isTrue();
                assertThat(ice.responses()).isPositive();
                IceLiteAgent a = agent.get();
                assertThat(a.selectedAddress()).as("nominated by USE-CANDIDATE").isNotNull();
                assertThat(ice.dtlsFrom()).as("DTLS from a validated 5-tuple").isNotNull();
                assertThat(a.isValidated(ice.dtlsFrom())).isTrue();
                assertThat(router.count(IceCheckResult.UNKNOWN_UFRAG) + router.count(IceCheckResult.MALFORMED)).isZero();
            }
        }
    }

    private static final String OFFEREE_PAGE = """
            <!doctype html><html><body><script>
            const post = (path, body) => fetch(path, {method: 'POST', body});
            (async () => {
              try {
                const pc = new RTCPeerConnection();
                pc.ontrack = e => post('/track', e.track.kind);
                const offer = await (await post('/offer', '')).text();
                await pc.setRemoteDescription({type: 'offer', sdp: offer});
                await pc.setLocalDescription(await pc.createAnswer());
                await post('/answer', pc.localDescription.sdp);
              } catch (e) { await post('/answer', 'ERR ' + e); }
            })();
            </script></body></html>""";

    /** The SFU offers (SdpOfferBuilder, sendonly audio+video with SSRCs); Chromium answers active and connects. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chromiumAnswersOurOfferAndConnects() throws Exception {
        ChromiumHarness.require();
        IceDirectory directory = new IceDirectory(8);
        StunRouter router = new StunRouter(directory);
        IceCredentials local = IceCredentials.generate();
        AtomicReference<IceLiteAgent> agent = new AtomicReference<>();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress candidate = (InetSocketAddress) udp.getLocalSocketAddress();
            String offer = SdpWriter.write(new SdpOfferBuilder(local, randomFingerprint()).candidate(candidate)
                    .audio("0", Sdp.Direction.SENDONLY, new SdpAnswerBuilder.SendStream(1111, -1, "sfu", "pub1", "mic"))
                    .video("1", Sdp.Direction.SENDONLY, new SdpAnswerBuilder.SendStream(2222, 3333, "sfu", "pub1", "cam"))
                    .build());
            UnaryOperator<String> onAnswer = body -> {
                try {
                    SessionDescription answer = SdpParser.parse(body);
                    IceLiteAgent a = new IceLiteAgent(local, answer.iceUfrag(answer.media().get(0)), System.nanoTime());
                    directory.register(a);
                    agent.set(a);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return null;
            };
            try (ChromiumHarness chromium = new ChromiumHarness(OFFEREE_PAGE,
                    Map.of("/offer", body -> offer, "/answer", onAnswer))) {
                chromium.open();
                assertThat(ChromiumHarness.await(() -> agent.get() != null
                        || chromium.events().stream().anyMatch(e -> e.startsWith("/answer ERR")), 30)).isTrue();
                String answerText = chromium.events().stream().filter(e -> e.startsWith("/answer ")).findFirst()
                        .orElseThrow().substring("/answer ".length());
                assertThat(answerText).doesNotStartWith("ERR");
                SessionDescription answer = SdpParser.parse(answerText);
                assertThat(answer.media()).extracting(MediaDescription::mid).containsExactly("0", "1");
                assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1");
                for (MediaDescription m : answer.media()) {
                    assertThat(answer.setup(m)).isEqualTo(Sdp.Setup.ACTIVE);
                    assertThat(m.effectiveDirection()).isIn(Sdp.Direction.RECVONLY, Sdp.Direction.INACTIVE);
                }
                assertThat(answer.media().get(0).rtpMaps()).extracting(Sdp.RtpMap::encoding).contains("opus");
                assertThat(answer.media().get(1).rtpMaps()).extracting(Sdp.RtpMap::encoding).contains("VP8", "rtx");
                assertThat(ChromiumHarness.await(() -> chromium.events().containsAll(
                        java.util.List.of("/track audio", "/track video")), 10)).as("remote tracks announced").isTrue();

                IceOutcome ice = runIce(udp, router, 40,
                        o -> o.dtlsFrom() != null && agent.get().selectedAddress() != null);
                assertThat(agent.get().selectedAddress()).isNotNull();
                assertThat(ice.dtlsFrom()).isNotNull();
                assertThat(agent.get().isValidated(ice.dtlsFrom())).isTrue();
            }
        }
    }

    /** What the ICE loop saw. */
    record IceOutcome(int responses, InetSocketAddress dtlsFrom) {}

    /**
     * Receives on {@code udp} until {@code done} holds or {@code timeoutSeconds} pass: STUN goes through the router
     * (responses sent back), and the first DTLS record from a 5-tuple the router validated is noted.
     */
    static IceOutcome runIce(DatagramSocket udp, StunRouter router, long timeoutSeconds,
                             java.util.function.Predicate<IceOutcome> done) throws IOException {
        byte[] rx = new byte[2048];
        DatagramPacket dp = new DatagramPacket(rx, rx.length);
        ByteBuf out = Unpooled.buffer(512);
        udp.setSoTimeout(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int responses = 0;
        InetSocketAddress dtlsFrom = null;
        try {
            while (System.nanoTime() < deadline && !done.test(new IceOutcome(responses, dtlsFrom))) {
                try {
                    udp.receive(dp);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                InetSocketAddress from = (InetSocketAddress) dp.getSocketAddress();
                int first = rx[0] & 0xFF;
                if (first <= 3) {
                    out.clear();
                    IceCheckResult r = router.handle(Unpooled.wrappedBuffer(rx, 0, dp.getLength()), from, System.nanoTime(), out);
                    if (r == IceCheckResult.RESPONDED || r == IceCheckResult.ROLE_CONFLICT) {
                        responses++;
                        byte[] tx = new byte[out.readableBytes()];
                        out.readBytes(tx);
                        udp.send(new DatagramPacket(tx, tx.length, from));
                    }
                } else if (first >= 20 && first <= 63 && dtlsFrom == null && router.agentFor(from) != null) {
                    dtlsFrom = from;
                }
            }
        } finally {
            out.release();
        }
        return new IceOutcome(responses, dtlsFrom);
    }
}
