package dev.chorus.media.sfu.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtpPacket;
import org.junit.jupiter.api.Test;

/** The retransmission cache is bounded in packets and in age, and wiped on clear. */
class RetransmitCacheTest {
    static RtpPacket packet(int seq) {
        byte[] b = new byte[112];
        b[0] = (byte) 0x80; b[1] = 96; b[2] = (byte) (seq >> 8); b[3] = (byte) seq;
        b[100] = (byte) seq;
        RtpPacket p = new RtpPacket();
        p.wrap(b, 0, b.length);
        return p;
    }

    @Test
    void boundedInPacketsAndAge() {
        RetransmitCache c = new RetransmitCache(8, 1000);
        for (int s = 0; s < 20; s++) c.put(packet(s), s);
        assertThat(c.find(11, 20)).isEqualTo(-1); // overwritten by 19
        int slot = c.find(19, 20);
        assertThat(slot).isNotNegative();
        assertThat(c.length(slot)).isEqualTo(112);
        assertThat(c.data(slot)[100]).isEqualTo((byte) 19);
        assertThat(c.find(19, 19 + 1001)).isEqualTo(-1); // too old
        c.clear();
        assertThat(c.find(19, 20)).isEqualTo(-1);
        assertThat(c.data(slot)[100]).isZero();
    }
}
