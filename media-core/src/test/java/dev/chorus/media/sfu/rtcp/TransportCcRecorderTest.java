package dev.chorus.media.sfu.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import org.junit.jupiter.api.Test;

/** Transport-cc feedback encoding (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). */
class TransportCcRecorderTest {
    static final long MS = 1_000_000;

    /** Decodes the feedback: statuses (0 lost, 1 small, 2 large) and deltas in 250 µs ticks. */
    record Decoded(int base, int count, long referenceTime, int[] symbols, long[] deltas) { }

    static Decoded decode(byte[] b, int off, int len) {
        int base = ((b[off + 12] & 0xFF) << 8) | (b[off + 13] & 0xFF);
        int count = ((b[off + 14] & 0xFF) << 8) | (b[off + 15] & 0xFF);
        long ref = ((b[off + 16] & 0xFF) << 16) | ((b[off + 17] & 0xFF) << 8) | (b[off + 18] & 0xFF);
        int[] symbols = new int[count];
        int p = off + 20;
        int k = 0;
        while (k < count) {
            int chunk = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
            p += 2;
            assertThat(chunk & 0xC000).isEqualTo(0xC000); // two-bit status vector
            for (int s = 0; s < 7 && k < count; s++) symbols[k++] = (chunk >> (2 * (6 - s))) & 3;
        }
        long[] deltas = new long[count];
        for (int i = 0; i < count; i++) {
            if (symbols[i] == 1) deltas[i] = b[p++] & 0xFF;
            else if (symbols[i] == 2) { deltas[i] = (short) (((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF)); p += 2; }
        }
        assertThat(p).isLessThanOrEqualTo(off + len);
        return new Decoded(base, count, ref, symbols, deltas);
    }

    @Test
    void reportsArrivalsLossesAndDeltasAndWrapsSequenceNumbers() {
        TransportCcRecorder r = new TransportCcRecorder(1024);
        long t0 = 1_000 * MS;
        int[] seqs = {65533, 65534, 65535, 1, 2}; // 0 lost across the wrap
        long[] at = {t0, t0 + 5 * MS, t0 + 10 * MS, t0 + 100 * MS, t0 + 101 * MS};
        for (int i = 0; i < seqs.length; i++) r.onPacket(seqs[i], at[i]);
        byte[] b = new byte[1500];
        int len = r.writeFeedback(b, 0, 0x1111, 0x2222);
        assertThat(len % 4).isZero();
        RtcpCompound c = new RtcpCompound();
        assertThat(c.wrap(b, 0, len)).isEqualTo(RtcpStatus.OK);
        assertThat(c.isTransportCc(0)).isTrue();
        Decoded d = decode(b, 0, len);
        assertThat(d.base()).isEqualTo(65533);
        assertThat(d.count()).isEqualTo(6);
        assertThat(d.symbols()).containsExactly(1, 1, 1, 0, 2, 1);
        // 5 ms = 20 ticks, 90 ms later = 360 ticks (> 255: large delta), 1 ms = 4 ticks.
        assertThat(d.deltas()[1]).isEqualTo(20);
        assertThat(d.deltas()[2]).isEqualTo(20);
        assertThat(d.deltas()[4]).isEqualTo(360);
        assertThat(d.deltas()[5]).isEqualTo(4);
        long firstTicks = d.referenceTime() * 256 + d.deltas()[0];
        assertThat(firstTicks).isEqualTo(t0 / 1000 / 250);
        assertThat(r.hasPending()).isFalse();
        assertThat(r.writeFeedback(b, 0, 1, 2)).isZero();
    }

    @Test
    void packetsLostRightAfterAFeedbackAreReportedInTheNextOne() {
        TransportCcRecorder r = new TransportCcRecorder(1024);
        long t0 = 1_000 * MS;
        r.onPacket(10, t0);
        byte[] b = new byte[1500];
        assertThat(r.writeFeedback(b, 0, 1, 2)).isPositive();
        r.onPacket(13, t0 + 3 * MS); // 11 and 12 lost
        int len = r.writeFeedback(b, 0, 1, 2);
        Decoded d = decode(b, 0, len);
        assertThat(d.base()).isEqualTo(11);
        assertThat(d.symbols()).containsExactly(0, 0, 1);
        assertThat(d.referenceTime() * 256 + d.deltas()[2]).isEqualTo((t0 + 3 * MS) / 1000 / 250);
    }

    @Test
    void boundedRingDropsTheOldestAndLatePacketsAreIgnored() {
        TransportCcRecorder r = new TransportCcRecorder(16);
        for (int s = 0; s < 100; s++) r.onPacket(s, 1000 * MS + s * MS);
        byte[] b = new byte[1500];
        int len = r.writeFeedback(b, 0, 1, 2);
        Decoded d = decode(b, 0, len);
        assertThat(d.base()).isEqualTo(100 - 16);
        assertThat(d.count()).isEqualTo(16);
        r.onPacket(50, 2000 * MS); // already reported range
        assertThat(r.hasPending()).isFalse();
    }
}
