package dev.chorus.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real browser against the real UDP server: headless Chromium with fake camera and microphone offers, media-core
 * answers (ICE-lite, setup:passive, our fingerprint, a 127.0.0.1 host candidate), Chromium connects through ICE and
 * DTLS, and the server decrypts Chromium's SRTP.
 */
@org.junit.jupiter.api.extension.ExtendWith(NettyLeakGuard.class)
class ChromiumWebRtcTest {
    static final String PAGE = """
            <!doctype html><html><body><script>
            window.pc = null;
            window.makeOffer = async (direction) => {
              const pc = window.pc = new RTCPeerConnection({bundlePolicy: 'max-bundle', iceServers: []});
              const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
              for (const t of stream.getTracks()) pc.addTransceiver(t, {direction: direction || 'sendonly', streams: [stream]});
              await pc.setLocalDescription(await pc.createOffer());
              await new Promise(r => {
                if (pc.iceGatheringState === 'complete') r();
                pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); };
                setTimeout(r, 3000);
              });
              return pc.localDescription.sdp;
            };
            window.inbound = async () => {
              const stats = await pc.getStats();
              let frames = 0, audio = 0;
              stats.forEach(r => {
                if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
                if (r.type === 'inbound-rtp' && r.kind === 'audio') audio += r.packetsReceived || 0;
              });
              return frames + ',' + audio;
            };
            </script></body></html>
            """;

    static String diagnostics(MediaTransportServer server, RecordingTransportListener listener) {
        StringBuilder b = new StringBuilder("server: ");
        TransportCounters c = server.counters();
        b.append("in=").append(c.packetsIn()).append(" stun=").append(c.stunIn()).append(" dtls=").append(c.dtlsIn())
         .append(" srtp=").append(c.srtpIn()).append(" out=").append(c.packetsOut());
        for (DropReason r : DropReason.values()) if (c.drops(r) > 0) b.append(' ').append(r).append('=').append(c.drops(r));
        for (dev.chorus.media.ice.IceCheckResult r : dev.chorus.media.ice.IceCheckResult.values()) {
            if (server.stunRouter().count(r) > 0) b.append(" ice.").append(r).append('=').append(server.stunRouter().count(r));
        }
        var d = server.dtlsStats();
        b.append(" dtls.cookies=").append(d.cookieRequestsAnswered()).append(" dtls.ok=").append(d.succeeded())
         .append(" dtls.inProgress=").append(d.inProgress()).append(" dtls.busy=").append(d.droppedBusy());
        for (dev.chorus.media.dtls.DtlsFailure f : dev.chorus.media.dtls.DtlsFailure.values()) {
            if (d.failed(f) > 0) b.append(" dtls.").append(f).append('=').append(d.failed(f));
        }
        b.append(" dtlsFailed=").append(listener.dtlsFailed.getNow(null)).append(" closed=").append(listener.closed.getNow(null));
        return b.toString();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void chromiumConnectsAndTheServerDecryptsItsSrtp() throws Exception {
        ChromiumHarness.require();
        DtlsCertificate certificate = DtlsCertificate.generate("chorus");
        AtomicInteger rtp = new AtomicInteger();
        AtomicInteger rtcp = new AtomicInteger();
        MediaSink counting = new MediaSink() {
            @Override public void onRtp(WebRtcTransport t, byte[] b, int off, int len) { rtp.incrementAndGet(); }
            @Override public void onRtcp(WebRtcTransport t, byte[] b, int off, int len) { rtcp.incrementAndGet(); }
        };
        try (MediaTransportServer server = new MediaTransportServer(MediaTransportConfig.loopback(), certificate).start();
             ChromiumHarness chromium = ChromiumHarness.start(PAGE)) {
            Object offerText = chromium.async("return await makeOffer();");
            assertThat(offerText).asString().startsWith("v=0");
            SessionDescription offer = SdpParser.parse((String) offerText);
            MediaDescription first = offer.media().getFirst();
            Sdp.Fingerprint remote = offer.fingerprints(first).getFirst();

            RecordingTransportListener listener = new RecordingTransportListener();
            WebRtcTransport transport = server.createTransport(offer.iceUfrag(first),
                    Fingerprint.parseSdp(remote.hashFunction() + " " + remote.value()), counting, listener);
            InetSocketAddress candidate = server.candidates().getFirst();
            SessionDescription answer = new SdpAnswerBuilder(offer, transport.iceCredentials(),
                    new Sdp.Fingerprint(Fingerprint.SHA_256, certificate.fingerprint().hex()))
                    .candidate(candidate)
                    .codecs("opus", "VP8")
                    .build();
            String answerText = SdpWriter.write(answer);
            assertThat(answerText).contains("a=ice-lite", "a=setup:passive", "127.0.0.1 " + candidate.getPort());

            Object applied = chromium.async(
                    "await pc.setRemoteDescription({type: 'answer', sdp: args[0]}); return 'ok';", answerText);
            assertThat(applied).isEqualTo("ok");

            String state = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                state = String.valueOf(chromium.eval("return pc.connectionState;"));
                if ("connected".equals(state) || "failed".equals(state)) break;
                Thread.sleep(50); // polling the browser's state with a deadline
            }
            assertThat(state).as(() -> diagnostics(server, listener)).isEqualTo("connected");
            assertThat(listener.connected.get(10, TimeUnit.SECONDS)).isNotNull();

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < until && (rtp.get() < 50 || rtcp.get() < 1)) Thread.sleep(20);
            assertThat(rtp.get()).as("RTP packets decrypted from Chromium").isGreaterThanOrEqualTo(50);
            assertThat(rtcp.get()).as("RTCP packets decrypted from Chromium").isPositive();
            assertThat(server.srtpStats().authFailures).isZero();
            assertThat(server.srtpStats().rtpUnprotected).isGreaterThanOrEqualTo(50);
            assertThat(server.counters().drops(DropReason.MALFORMED_RTP)).isZero();
            assertThat(transport.srtpProfile()).isNotNull();
        }
    }

    /**
     * The other direction: the server re-protects Chromium's own RTP with its outbound contexts (SSRCs rewritten to
     * the ones announced in the answer) and Chromium decodes it, which proves our SRTP output interoperates with the
     * browser's libsrtp.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void chromiumDecodesMediaTheServerProtects() throws Exception {
        ChromiumHarness.require();
        DtlsCertificate certificate = DtlsCertificate.generate("chorus");
        java.util.Map<Integer, Integer> rewrite = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger echoed = new AtomicInteger();
        MediaSink echo = new MediaSink() {
            @Override
            public void onRtp(WebRtcTransport t, byte[] b, int off, int len) {
                int ssrc = ((b[off + 8] & 0xff) << 24) | ((b[off + 9] & 0xff) << 16) | ((b[off + 10] & 0xff) << 8) | (b[off + 11] & 0xff);
                Integer ours = rewrite.get(ssrc);
                if (ours == null) return;
                b[off + 8] = (byte) (ours >> 24); b[off + 9] = (byte) (ours >> 16); b[off + 10] = (byte) (ours >> 8); b[off + 11] = (byte) (int) ours;
                if (t.sendRtp(b, off, len)) echoed.incrementAndGet();
            }
            @Override public void onRtcp(WebRtcTransport t, byte[] b, int off, int len) { }
        };
        try (MediaTransportServer server = new MediaTransportServer(MediaTransportConfig.loopback(), certificate).start();
             ChromiumHarness chromium = ChromiumHarness.start(PAGE)) {
            SessionDescription offer = SdpParser.parse((String) chromium.async("return await makeOffer('sendrecv');"));
            MediaDescription first = offer.media().getFirst();
            Sdp.Fingerprint remote = offer.fingerprints(first).getFirst();
            RecordingTransportListener listener = new RecordingTransportListener();
            WebRtcTransport transport = server.createTransport(offer.iceUfrag(first),
                    Fingerprint.parseSdp(remote.hashFunction() + " " + remote.value()), echo, listener);
            SdpAnswerBuilder builder = new SdpAnswerBuilder(offer, transport.iceCredentials(),
                    new Sdp.Fingerprint(Fingerprint.SHA_256, certificate.fingerprint().hex()))
                    .candidate(server.candidates().getFirst())
                    .codecs("opus", "VP8");
            int next = 0x10000001;
            for (MediaDescription m : offer.media()) {
                List<Long> theirs = m.ssrcGroups().stream().filter(g -> g.semantics().equals("FID"))
                        .findFirst().map(Sdp.SsrcGroup::ssrcs).orElse(m.ssrcIds());
                assertThat(theirs).as("Chromium announces its SSRCs").isNotEmpty();
                int ourPrimary = next++;
                int ourRtx = theirs.size() > 1 ? next++ : -1;
                rewrite.put(theirs.get(0).intValue(), ourPrimary);
                if (ourRtx != -1) rewrite.put(theirs.get(1).intValue(), ourRtx);
                builder.sendStream(m.mid(), new SdpAnswerBuilder.SendStream(ourPrimary & 0xffffffffL,
                        ourRtx == -1 ? -1 : ourRtx & 0xffffffffL, "chorus", "echo", "echo-" + m.mid()));
            }
            String answer = SdpWriter.write(builder.build());
            assertThat(chromium.async("await pc.setRemoteDescription({type: 'answer', sdp: args[0]}); return 'ok';", answer))
                    .isEqualTo("ok");
            listener.connected.get(30, TimeUnit.SECONDS);

            String inbound = "0,0";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                inbound = String.valueOf(chromium.async("return await inbound();"));
                String[] parts = inbound.split(",");
                if (Long.parseLong(parts[0]) >= 10 && Long.parseLong(parts[1]) >= 10) break;
                Thread.sleep(200); // polling the browser's stats with a deadline
            }
            String[] parts = inbound.split(",");
            assertThat(Long.parseLong(parts[0])).as("video frames Chromium decoded from our SRTP (%s, echoed %d)",
                    diagnostics(server, listener), echoed.get()).isGreaterThanOrEqualTo(10);
            assertThat(Long.parseLong(parts[1])).as("audio packets Chromium received from our SRTP").isGreaterThanOrEqualTo(10);
            assertThat(server.srtpStats().authFailures).isZero();
        }
    }
}
