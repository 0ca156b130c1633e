package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.simulcast.H264Packets;
import dev.chorus.media.simulcast.VideoCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, H.264 simulcast through the SFU without sockets: a publisher whose codec preferences put H.264 first
 * gets an answer with exactly its packetization-mode 1 format; subscribers are offered that codec with the
 * publisher's profile; each layer's frame size comes from its SPS; a spatial switch lands on the target layer's key
 * frame (the STAP-A with SPS and PPS that precedes its IDR), and the subscriber sees one stream with sequence numbers
 * without holes and timestamps that only go forward; a NACK is answered with the packet it names. And a publisher
 * that keeps Chromium's default order still gets VP8 alone, as before.
 */
class H264SimulcastForwardingTest {
    static final int MID_EXT = 4;
    static final int RID_EXT = 10;
    static final long[] SSRC = {0xB0000001L, 0xB0000002L, 0xB0000003L};
    static final String[] RID = {"q", "h", "f"};
    static final byte[][] SPS = {H264Packets.SPS_320x180, H264Packets.SPS_640x360, H264Packets.SPS_1280x720};
    static final String H264_PM1 = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";

    static String offer(String formats, String rtpmaps) {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF " + formats + "\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
                + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\n"
                + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
                + "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
                + rtpmaps
                + "a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send f;h;q\r\n";
    }

    static final String VP8_MAPS = "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
            + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
    static final String VP9_MAPS = "a=rtpmap:98 VP9/90000\r\na=fmtp:98 profile-id=0\r\n"
            + "a=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\n";
    /** Chromium's H.264 formats with codecPreferences putting H.264 first: mode 0 before mode 1, as it lists them. */
    static final String H264_MAPS = "a=rtpmap:104 H264/90000\r\na=rtcp-fb:104 nack\r\na=rtcp-fb:104 nack pli\r\n"
            + "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
            + "a=rtpmap:105 rtx/90000\r\na=fmtp:105 apt=104\r\n"
            + "a=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\n"
            + "a=fmtp:102 " + H264_PM1 + "\r\na=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n";

    Worker worker;
    ParticipantImpl pub;
    ParticipantImpl sub;
    Producer track;
    Consumer consumer;
    String publishAnswer;
    final CapturingChannel pubLink = new CapturingChannel();
    final CapturingChannel subLink = new CapturingChannel();
    final int[] seq = {100, 30000, 65530};
    final long[] ts = {5000, 70000, 0xFFFFF000L};
    final boolean[] ridSent = new boolean[3];

    @BeforeEach
    void setUp() {
        SfuConfig config = SfuConfig.defaults().withWorkers(1);
        Sfu sfu = new Sfu(config, null);
        worker = sfu.workers()[0];
        RoomImpl room = new RoomImpl("r", worker, sfu);
        pub = new ParticipantImpl("pub", room, MediaRights.all(), ParticipantListener.NONE);
        sub = new ParticipantImpl("sub", room, MediaRights.all(), ParticipantListener.NONE);
        room.participants.put(pub.id, pub);
        room.participants.put(sub.id, sub);
        PublishNegotiation.Plan plan = WiredTrack.plan(offer("104 105 102 103 96 97", H264_MAPS + VP8_MAPS));
        publishAnswer = SdpWriter.write(plan.answer());
        WiredTrack wired = new WiredTrack(config, pub, sub, plan, pubLink, subLink);
        track = wired.track;
        consumer = wired.consumer;
    }

    long now() {
        return worker.clock.getAsLong();
    }

    /** One picture of {@code layer}: a key frame is STAP-A(SPS, PPS) + the IDR in two FU-A fragments. */
    void picture(int layer, boolean keyframe) {
        List<byte[]> payloads = new ArrayList<>();
        if (keyframe) {
            payloads.add(H264Packets.stapA(SPS[layer], H264Packets.PPS));
            for (byte[] f : H264Packets.fuA(H264Packets.IDR, 2)) payloads.add(tagged(f, layer));
        } else {
            for (byte[] f : H264Packets.fuA(H264Packets.SLICE, 2)) payloads.add(tagged(f, layer));
        }
        for (int i = 0; i < payloads.size(); i++) {
            byte[] p = packet(layer, seq[layer], ts[layer], payloads.get(i), i == payloads.size() - 1, !ridSent[layer]);
            seq[layer] = (seq[layer] + 1) & 0xFFFF;
            RtpPacket rtp = new RtpPacket();
            assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
            pub.publishing.onRtp(rtp, now());
        }
        ridSent[layer] = true;
        ts[layer] = (ts[layer] + 3000) & 0xFFFFFFFFL;
    }

    /** A fragment's data is opaque to the SFU: its last byte names the layer for the assertions. */
    static byte[] tagged(byte[] fragment, int layer) {
        byte[] t = java.util.Arrays.copyOf(fragment, fragment.length + 1);
        t[t.length - 1] = (byte) layer;
        return t;
    }

    static byte[] packet(int layer, int seq, long ts, byte[] payload, boolean marker, boolean withRid) {
        byte[] ext = new byte[0];
        if (withRid) {
            byte[] rid = RID[layer].getBytes(StandardCharsets.US_ASCII);
            ext = new byte[] {(byte) (MID_EXT << 4), '0', (byte) ((RID_EXT << 4) | (rid.length - 1)), rid[0]};
        }
        int extLen = ext.length == 0 ? 0 : 4 + ext.length;
        byte[] b = new byte[12 + extLen + payload.length];
        b[0] = (byte) (0x80 | (ext.length > 0 ? 0x10 : 0));
        b[1] = (byte) ((marker ? 0x80 : 0) | 102);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        TestRtp.put32(b, 4, ts);
        TestRtp.put32(b, 8, SSRC[layer]);
        int p = 12;
        if (ext.length > 0) {
            b[p++] = (byte) 0xBE; b[p++] = (byte) 0xDE; b[p++] = 0; b[p++] = (byte) (ext.length / 4);
            System.arraycopy(ext, 0, b, p, ext.length);
            p += ext.length;
        }
        System.arraycopy(payload, 0, b, p, payload.length);
        return b;
    }

    void allLayers(boolean keyframe) {
        for (int l = 0; l < 3; l++) picture(l, keyframe);
    }

    void tick() {
        sub.subscribing.layerChoice.tick(now() + SubscriberLayers.INTERVAL_NANOS);
    }

    /** The layer a forwarded packet came from: by the SPS an STAP-A carries, else by the fragment's tag. */
    static int layerOf(byte[] p) {
        RtpPacket rtp = TestRtp.view(p);
        int po = rtp.payloadOffset();
        if ((p[po] & 0x1F) == 24) {
            for (int l = 0; l < 3; l++) if (p[po + 3 + 3] == SPS[l][3]) return l; // level_idc differs per layer
            throw new AssertionError("an STAP-A without a known SPS");
        }
        return p[po + rtp.payloadLength() - 1];
    }

    @Test
    void theAnswerKeepsOnlyThePublishersFirstPacketizationMode1H264AndSubscribersAreOfferedIt() {
        assertThat(publishAnswer).contains("m=video 40000 UDP/TLS/RTP/SAVPF 102 103\r\n")
                .contains("a=rtpmap:102 H264/90000").contains("a=fmtp:102 " + H264_PM1).contains("a=fmtp:103 apt=102")
                .doesNotContain("VP8").doesNotContain("a=rtpmap:104").contains("a=simulcast:recv f;h;q");
        assertThat(track.codec).isEqualTo(VideoCodec.H264);
        String subscriberOffer = SubscribeNegotiation.offer(IceCredentials.generate(), new Sdp.Fingerprint("sha-256",
                "CD:".repeat(31) + "CD"), List.of(new InetSocketAddress("127.0.0.1", 40001)), 1, 1,
                List.of(new SubscribeNegotiation.Section("0", true, new SdpAnswerBuilder.SendStream(consumer.ssrc,
                        consumer.rtxSsrc, "s", "s", "v"), List.of(), SubscribeSide.videoFormat(consumer))));
        assertThat(subscriberOffer).containsPattern("m=video \\d+ UDP/TLS/RTP/SAVPF 102 103\r\n")
                .contains("a=rtpmap:102 H264/90000")
                .contains("a=fmtp:102 " + H264_PM1).contains("a=rtpmap:103 rtx/90000").contains("a=fmtp:103 apt=102")
                .contains("a=rtcp-fb:102 nack pli").doesNotContain("VP8");
        assertThat(consumer.payloadType).isEqualTo(102);
    }

    @Test
    void chromiumsDefaultOrderStillPublishesVp8Alone() {
        String answer = SdpWriter.write(WiredTrack.plan(offer("96 97 98 99 102 103", VP8_MAPS + VP9_MAPS
                + H264_MAPS.replace("a=rtpmap:104", "a=rtpmap:106").replace(":104 ", ":106 ").replace(":105", ":107"))).answer());
        assertThat(answer).contains("UDP/TLS/RTP/SAVPF 96 97\r\n").contains("a=rtpmap:96 VP8/90000")
                .doesNotContain("H264").doesNotContain("VP9");
        assertThat(WiredTrack.plan(offer("98 99 96 97", VP9_MAPS + VP8_MAPS)).tracks().getFirst().codec())
                .as("VP9 profile 0 first: VP9").isEqualTo(VideoCodec.VP9);
        String vp9Profile2 = VP9_MAPS.replace("profile-id=0", "profile-id=2");
        assertThat(WiredTrack.plan(offer("98 99 96 97", vp9Profile2 + VP8_MAPS)).tracks().getFirst().codec())
                .as("VP9 profile 2 is not forwarded: the next one").isEqualTo(VideoCodec.VP8);
    }

    @Test
    void eachLayersFrameSizeComesFromItsSps() {
        allLayers(true);
        assertThat(track.simulcast.layerOfMediaSsrc(SSRC[1])).isEqualTo(1);
        assertThat(track.simulcast.widths).containsExactly(320, 640, 1280);
        assertThat(track.simulcast.heights).containsExactly(180, 360, 720);
    }

    @Test
    void switchesOnlyAtTheTargetsKeyFrameAndKeepsOneContinuousStream() {
        allLayers(true);
        sub.subscribing.layerChoice.setPreference("pub", "0", 160, 90, true, null);
        tick();
        allLayers(false);
        assertThat(subLink.rtp).as("nothing before a key frame of the target").isEmpty();
        allLayers(true);
        allLayers(false);
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, true, null);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isEqualTo(2);
        allLayers(false);
        allLayers(false);
        assertThat(subLink.rtp.stream().map(H264SimulcastForwardingTest::layerOf).distinct().toList())
                .as("still the low layer until the top one's IDR").containsExactly(0);
        int before = subLink.rtp.size();
        allLayers(true);
        allLayers(false);
        List<Integer> layers = subLink.rtp.stream().map(H264SimulcastForwardingTest::layerOf).toList();
        int switched = layers.indexOf(2);
        assertThat(switched).as("q's key picture of that round (3 packets) comes first").isEqualTo(before + 3);
        byte[] first = subLink.rtp.get(switched);
        assertThat(first[TestRtp.view(first).payloadOffset()] & 0x1F).as("the switch lands on the STAP-A with SPS and PPS")
                .isEqualTo(24);
        assertThat(layers.subList(switched, layers.size())).containsOnly(2).hasSize(5);
        assertThat(worker.counters.layerSwitches()).isEqualTo(1);
        assertContinuous(subLink.rtp);
    }

    @Test
    void aNackIsAnsweredWithThePacketItNames() {
        allLayers(true);
        tick();
        allLayers(true);
        allLayers(false);
        assertThat(subLink.rtp).hasSize(5);
        byte[] missed = subLink.rtp.get(1);
        consumer.rtxPayloadType = -1;
        sub.subscribing.onRtcp(TestRtp.rtcp(TestRtp.nack(0x999, consumer.ssrc, TestRtp.view(missed).sequenceNumber(), 1, 0)), now());
        assertThat(subLink.rtp).hasSize(6);
        assertThat(subLink.rtp.get(5)).isEqualTo(missed);
    }

    /** One SSRC, the subscriber's payload type, sequence numbers +1 each, timestamps only forward (+ per picture). */
    static void assertContinuous(List<byte[]> out) {
        RtpPacket prev = null;
        for (byte[] p : out) {
            RtpPacket rtp = TestRtp.view(p);
            assertThat(rtp.payloadType()).isEqualTo(102);
            if (prev != null) {
                assertThat(rtp.ssrc()).isEqualTo(prev.ssrc());
                assertThat(rtp.sequenceNumber()).isEqualTo((prev.sequenceNumber() + 1) & 0xFFFF);
                long dts = (rtp.timestamp() - prev.timestamp()) & 0xFFFFFFFFL;
                assertThat(dts).as("timestamps never go back").isLessThan(0x8000_0000L);
                if (prev.marker()) assertThat(dts).as("a new picture, a later timestamp").isPositive();
                else assertThat(dts).isZero();
            }
            prev = rtp;
        }
    }
}
