package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SSRC-less simulcast (RFC 8852/8853): rid and repaired-rid extensions bind SSRCs to layers. */
class SimulcastStreamsTest {
    private final SimulcastStreams streams =
            new SimulcastStreams(List.of("q", "h", "f"), Vp8Source.RID_EXT, Vp8Source.REPAIRED_RID_EXT);
    private final RtpPacket rtp = new RtpPacket();

    private int classify(byte[] b) {
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        return streams.classify(rtp);
    }

    @Test
    void theRidExtensionBindsTheSsrcAndLaterPacketsAreFoundBySsrcAlone() {
        Vp8Source h = new Vp8Source(0x2222, "h", 1, 0, 0, 1);
        assertThat(classify(h.picture(true).getFirst())).isEqualTo(1);
        h.withRid = false;
        assertThat(classify(h.picture(false).getFirst())).isEqualTo(1);
        assertThat(streams.ssrcOf(1)).isEqualTo(0x2222);
        assertThat(streams.lookup(0x2222)).isEqualTo(1);
    }

    @Test
    void anSsrcNeverSeenWithARidIsUnknown() {
        Vp8Source f = new Vp8Source(0x3333, "f", 1, 0, 0, 1);
        f.withRid = false;
        assertThat(classify(f.picture(true).getFirst())).isEqualTo(SimulcastStreams.UNKNOWN);
        assertThat(streams.ssrcOf(2)).isEqualTo(-1);
    }

    @Test
    void aRidNotInTheOfferIsUnknown() {
        Vp8Source x = new Vp8Source(0x4444, "x", 1, 0, 0, 1);
        assertThat(classify(x.picture(true).getFirst())).isEqualTo(SimulcastStreams.UNKNOWN);
    }

    @Test
    void theRepairedRidMarksAnRtxStream() {
        Vp8Source rtx = new Vp8Source(0x5555, "f", 1, 0, 0, 1);
        rtx.withRid = false;
        byte[] plain = rtx.picture(true).getFirst();
        // Same packet with a repaired-rid element for "f" added.
        byte[] ext = Vp8Source.ridExtension(Vp8Source.REPAIRED_RID_EXT, "f");
        byte[] b = new byte[plain.length + 4 + ext.length];
        System.arraycopy(plain, 0, b, 0, 12);
        b[0] |= 0x10;
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[15] = (byte) (ext.length / 4);
        System.arraycopy(ext, 0, b, 16, ext.length);
        System.arraycopy(plain, 12, b, 16 + ext.length, plain.length - 12);
        assertThat(classify(b)).isEqualTo(2 | SimulcastStreams.RTX);
        assertThat(streams.lookup(0x5555)).isEqualTo(2 | SimulcastStreams.RTX);
    }

    @Test
    void aZeroPaddedRidValueMatches() {
        // Two-byte value "q\0" (an encoder padding the element): still the rid "q".
        byte[] e = {(byte) ((Vp8Source.RID_EXT << 4) | 1), 'q', 0, 0};
        Vp8Source src = new Vp8Source(0x6666, "q", 1, 0, 0, 1);
        src.withRid = false;
        byte[] plain = src.picture(true).getFirst();
        byte[] b = new byte[plain.length + 8];
        System.arraycopy(plain, 0, b, 0, 12);
        b[0] |= 0x10;
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[15] = 1;
        System.arraycopy(e, 0, b, 16, 4);
        System.arraycopy(plain, 12, b, 20, plain.length - 12);
        assertThat(classify(b)).isEqualTo(0);
    }

    @Test
    void aFloodOfNewSsrcsCannotGrowTheTable() {
        for (int i = 0; i < 100; i++) {
            Vp8Source s = new Vp8Source(0x10000 + i, "q", 1, 0, 0, 1);
            assertThat(classify(s.picture(true).getFirst())).isEqualTo(0);
        }
        assertThat(streams.lookup(0x10000)).isEqualTo(SimulcastStreams.UNKNOWN); // evicted
        assertThat(streams.lookup(0x10000 + 99)).isEqualTo(0);
        assertThat(streams.ssrcOf(0)).isEqualTo(0x10000 + 99);
    }

    @Test
    void badRidListsAreRefused() {
        assertThatThrownBy(() -> new SimulcastStreams(List.of(), 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SimulcastStreams(List.of("a b"), 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(streams.layerOf("f")).isEqualTo(2);
        assertThat(streams.rid(0)).isEqualTo("q");
    }
}
