package dev.chorus.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.SdpFixtures;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** SECURITY-CHECKLIST 39: only SSRCs the publisher announced (or offered simulcast rids) pass. */
class SsrcFilterTest {
    private final RtpPacket rtp = new RtpPacket();

    /** An RTP packet with the given SSRC and one-byte header extensions {id, value}. */
    static byte[] packet(long ssrc, Object... ext) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        for (int i = 0; i < ext.length; i += 2) {
            byte[] v = ((String) ext[i + 1]).getBytes();
            e.write(((Integer) ext[i] << 4) | (v.length - 1));
            e.writeBytes(v);
        }
        while (e.size() % 4 != 0) {
            e.write(0);
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(ext.length > 0 ? 0x90 : 0x80);
        o.write(96);
        o.writeBytes(new byte[] {0, 1, 0, 0, 0, 1});
        o.writeBytes(new byte[] {(byte) (ssrc >>> 24), (byte) (ssrc >>> 16), (byte) (ssrc >>> 8), (byte) ssrc});
        if (ext.length > 0) {
            int words = e.size() / 4;
            o.writeBytes(new byte[] {(byte) 0xBE, (byte) 0xDE, 0, (byte) words});
            o.writeBytes(e.toByteArray());
        }
        o.writeBytes(new byte[20]);
        return o.toByteArray();
    }

    private boolean accept(SsrcFilter f, byte[] p) {
        assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
        return f.accept(rtp);
    }

    @Test
    void announcedSsrcsOfTheRealOfferPassOthersDoNot() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        SsrcFilter f = SsrcFilter.fromDescription(offer, 0);
        MediaDescription audio = offer.media().get(0);
        MediaDescription video = offer.media().get(1);
        for (long ssrc : audio.ssrcIds()) {
            assertThat(accept(f, packet(ssrc))).isTrue();
            assertThat(f.midOf(ssrc)).isEqualTo("0");
        }
        for (long ssrc : video.ssrcIds()) { // media and RTX
            assertThat(accept(f, packet(ssrc))).isTrue();
            assertThat(f.midOf(ssrc)).isEqualTo("1");
        }
        assertThat(accept(f, packet(12345))).isFalse();
        assertThat(accept(f, packet(12345, 4, "1"))).as("a mid alone does not admit an SSRC").isFalse();
        assertThat(f.size()).isEqualTo(audio.ssrcIds().size() + video.ssrcIds().size());
    }

    @Test
    void simulcastStreamsAreLearnedByOfferedMidAndRidOnlyAndBounded() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumSimulcastOffer());
        MediaDescription sim = offer.media().get(2);
        int midId = sim.extmaps().stream().filter(e -> e.uri().equals(SsrcFilter.MID_URI)).findFirst().orElseThrow().id();
        int ridId = sim.extmaps().stream().filter(e -> e.uri().equals(SsrcFilter.RID_URI)).findFirst().orElseThrow().id();
        SsrcFilter f = SsrcFilter.fromDescription(offer, 3);
        assertThat(accept(f, packet(1001, midId, "2", ridId, "q"))).isTrue();
        assertThat(accept(f, packet(1001))).as("learned").isTrue();
        assertThat(f.midOf(1001)).isEqualTo("2");
        assertThat(accept(f, packet(1002, midId, "2", ridId, "x"))).as("rid not offered").isFalse();
        assertThat(accept(f, packet(1003, midId, "0", ridId, "q"))).as("rid of another section").isFalse();
        assertThat(accept(f, packet(1004, midId, "9", ridId, "q"))).as("unknown mid").isFalse();
        assertThat(accept(f, packet(1005, ridId, "h"))).as("rid without mid").isFalse();
        assertThat(accept(f, packet(1006, midId, "2", ridId, "h"))).isTrue();
        assertThat(accept(f, packet(1007, midId, "2", ridId, "f"))).isTrue();
        // The learning budget is spent: a flood of new SSRCs claiming valid rids is refused.
        for (int i = 0; i < 1000; i++) {
            assertThat(accept(f, packet(5000 + i, midId, "2", ridId, "f"))).isFalse();
        }
        assertThat(f.learnedCount()).isEqualTo(3);
    }
}
