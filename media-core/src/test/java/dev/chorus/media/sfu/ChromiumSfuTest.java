package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.NettyLeakGuard;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real Chromium through the SFU: one page publishes its fake camera and microphone on a publish peer connection
 * (it offers, the SFU answers recvonly), and receives them back on a subscribe peer connection as another
 * participant (the SFU offers, Chromium answers). Chromium must decode the forwarded video: payload types,
 * SSRCs, sequence numbers, header extensions and the keyframe request are all right, or no frame is decoded.
 */
@ExtendWith(NettyLeakGuard.class)
class ChromiumSfuTest {
    static final String PAGE = """
            <!doctype html><html><body><script>
            const waitIce = pc => new Promise(r => {
              if (pc.iceGatheringState === 'complete') r();
              pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); };
              setTimeout(r, 3000);
            });
            window.publishOffer = async () => {
              const pc = window.pub = new RTCPeerConnection({bundlePolicy: 'max-bundle', iceServers: []});
              const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
              for (const t of stream.getTracks()) pc.addTransceiver(t, {direction: 'sendonly', streams: [stream]});
              await pc.setLocalDescription(await pc.createOffer());
              await waitIce(pc);
              return pc.localDescription.sdp;
            };
            window.received = [];
            window.subscribeAnswer = async (offer) => {
              if (!window.sub) {
                window.sub = new RTCPeerConnection({bundlePolicy: 'max-bundle', iceServers: []});
                window.sub.ontrack = e => window.received.push(e.track.kind);
              }
              await window.sub.setRemoteDescription({type: 'offer', sdp: offer});
              // No need to wait for candidates: the SFU is ICE-lite and learns the address from the checks.
              await window.sub.setLocalDescription(await window.sub.createAnswer());
              return window.sub.localDescription.sdp;
            };
            window.inbound = async () => {
              const out = {};
              (await window.sub.getStats()).forEach(s => {
                if (s.type === 'inbound-rtp') out[s.kind] = {packets: s.packetsReceived || 0, lost: s.packetsLost || 0,
                    frames: s.framesDecoded || 0, nacks: s.nackCount || 0};
              });
              return JSON.stringify(out);
            };
            window.outbound = async () => {
              let bwe = 0;
              (await window.pub.getStats()).forEach(s => {
                if (s.type === 'candidate-pair' && s.nominated) bwe = s.availableOutgoingBitrate || 0;
              });
              return bwe;
            };
            </script></body></html>
            """;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void chromiumPublishesAndReceivesItsOwnTracksThroughTheSfu() throws Exception {
        ChromiumHarness.require();
        try (MediaTransportServer media = new MediaTransportServer(MediaTransportConfig.loopback(),
                DtlsCertificate.generate("chorus")).start();
             Sfu sfu = new Sfu(SfuConfig.defaults().withWorkers(1), media).start();
             ChromiumHarness chromium = ChromiumHarness.start(PAGE)) {
            RecordingParticipantListener pubEvents = new RecordingParticipantListener();
            Participant pub = sfu.join("room", "alice", MediaRights.all(), pubEvents).get(10, TimeUnit.SECONDS);
            String offer = (String) chromium.async("return await publishOffer();");
            String answer = pub.publish(offer, Map.of()).get(10, TimeUnit.SECONDS);
            assertThat(chromium.async("await pub.setRemoteDescription({type: 'answer', sdp: args[0]}); return 'ok';", answer))
                    .isEqualTo("ok");

            RecordingParticipantListener subEvents = new RecordingParticipantListener();
            Participant sub = sfu.join("room", "bob", MediaRights.all(), subEvents).get(10, TimeUnit.SECONDS);
            RecordingParticipantListener.Offer subOffer = subEvents.nextOffer(10_000);
            assertThat(subOffer).isNotNull();
            assertThat(subOffer.tracks()).extracting(t -> t.track().kind()).containsExactlyInAnyOrder(TrackKind.AUDIO, TrackKind.VIDEO);
            String subAnswer = (String) chromium.async("return await subscribeAnswer(args[0]);", subOffer.sdp());
            sub.answerSubscription(subAnswer).get(10, TimeUnit.SECONDS);

            String stats = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            boolean decoded = false;
            while (System.nanoTime() < deadline && !decoded) {
                Thread.sleep(250); // polling the browser's stats with a deadline
                stats = (String) chromium.async("return await inbound();");
                decoded = stats.matches(".*\"video\":\\{[^}]*\"frames\":([1-9][0-9]{1,}).*")
                        && stats.matches(".*\"audio\":\\{\"packets\":([1-9][0-9]{1,}).*")
                        && sfu.sum(SfuCounters::plisSent) > 0 && sfu.sum(SfuCounters::transportCcFeedbacksSent) > 0;
            }
            String diag = stats + " counters: in=" + sfu.sum(SfuCounters::packetsIn) + " fwd=" + sfu.sum(SfuCounters::packetsForwarded)
                    + " plis=" + sfu.sum(SfuCounters::plisSent) + " sendFail=" + sfu.sum(SfuCounters::sendFailures)
                    + " drops=" + java.util.Arrays.stream(SfuDropReason.values()).map(r -> r + ":" + sfu.sum(c -> c.drops(r))).toList()
                    + " pubEvents=" + pubEvents.connected + " subEvents=" + subEvents.connected
                    + " transports=" + media.transports().stream().map(t -> t + "@" + t.remoteAddress() + " protectFail="
                    + t.outboundStats().protectFailures + " rtcpOut=" + t.outboundStats().rtcpProtected).toList()
                    + " dtls ok=" + media.dtlsStats().succeeded() + " inProgress=" + media.dtlsStats().inProgress()
                    + " cookies=" + media.dtlsStats().cookieRequestsAnswered()
                    + " failed=" + java.util.Arrays.stream(dev.chorus.media.dtls.DtlsFailure.values())
                            .map(f -> f + ":" + media.dtlsStats().failed(f)).toList()
                    + " ice=" + java.util.Arrays.stream(dev.chorus.media.ice.IceCheckResult.values())
                            .map(r -> r + ":" + media.stunRouter().count(r)).toList()
                    + " demux=" + java.util.Arrays.stream(dev.chorus.media.transport.DropReason.values())
                            .map(r -> r + ":" + media.counters().drops(r)).toList();
            assertThat(decoded).as(diag).isTrue();
            assertThat(sfu.sum(SfuCounters::plisSent)).as(diag).isPositive();
            assertThat(sfu.sum(c -> c.drops(SfuDropReason.UNKNOWN_SSRC))).as(diag).isZero();
            assertThat(sfu.sum(SfuCounters::transportCcFeedbacksSent)).as(diag).isPositive();
            Object bwe = chromium.async("return await outbound();");
            assertThat(((Number) bwe).doubleValue()).as("Chromium's send-side estimate (transport-cc feedback)").isPositive();
        }
    }
}
