package dev.chorus.media.sfu.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SFU's own NACKs for a published stream: holes are asked for at the next timer tick, again after a retry
 * interval that follows the measured NACK → repair round trip, never more than the retry limit, never when too old;
 * repairs and late packets stop the asking; the set is bounded and a hopeless gap asks for a key frame instead.
 */
class NackGeneratorTest {
    static final long SSRC = 0x1234;
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    final NackGenerator gen = new NackGenerator();
    final int[] out = new int[256];

    /** Feeds {@code from..to} (inclusive, 16-bit, wrapping) except {@code skipped}. */
    void feed(int from, int to, long now, int... skipped) {
        for (int s = from; ; s = (s + 1) & 0xFFFF) {
            boolean skip = false;
            for (int k : skipped) skip |= k == s;
            if (!skip) gen.onPacket(SSRC, s, false, now);
            if (s == to) break;
        }
    }

    List<Integer> due(long now) {
        int n = gen.collect(now, out, out.length);
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(out[i]);
        return l;
    }

    @Test
    void aHoleIsAskedForAtTheNextTickAndNotAgainBeforeTheRetryInterval() {
        feed(100, 110, 0, 103, 107, 108);
        assertThat(gen.missing()).isEqualTo(3);
        assertThat(due(10 * MS)).containsExactly(103, 107, 108);
        assertThat(due(20 * MS)).as("inside the retry interval (100 ms before any repair)").isEmpty();
        assertThat(due(110 * MS)).containsExactly(103, 107, 108);
        assertThat(gen.requested()).isEqualTo(6);
    }

    @Test
    void aReorderedPacketBeforeTheTickIsNeverAskedFor() {
        feed(1, 5, 0, 3);
        assertThat(gen.onPacket(SSRC, 3, false, 2 * MS)).isEqualTo(NackGenerator.REORDERED);
        assertThat(due(10 * MS)).isEmpty();
        assertThat(gen.recovered()).isZero();
        assertThat(gen.onPacket(SSRC, 3, false, 3 * MS)).as("seen twice").isEqualTo(NackGenerator.DUPLICATE);
        assertThat(gen.onPacket(SSRC, 5, false, 3 * MS)).isEqualTo(NackGenerator.DUPLICATE);
    }

    @Test
    void aRepairStopsTheAskingAndCountsAsRecovered() {
        feed(1, 10, 0, 4);
        assertThat(due(10 * MS)).containsExactly(4);
        assertThat(gen.onPacket(SSRC, 4, true, 40 * MS)).isEqualTo(NackGenerator.RECOVERED);
        assertThat(gen.missing()).isZero();
        assertThat(due(1000 * MS)).isEmpty();
        assertThat(gen.recovered()).isEqualTo(1);
        assertThat(gen.givenUp()).isZero();
    }

    @Test
    void theRetryIntervalFollowsTheMeasuredRoundTrip() {
        assertThat(gen.retryIntervalNanos()).isEqualTo(NackGenerator.DEFAULT_RTT_NANOS);
        long now = 0;
        int seq = 0;
        // Repairs come 40 ms after each NACK: the interval settles near 40 ms (smoothed + variation).
        for (int round = 0; round < 30; round++) {
            feed(seq, seq + 5, now, seq + 2);
            now += 10 * MS;
            assertThat(due(now)).containsExactly(seq + 2);
            gen.onPacket(SSRC, seq + 2, true, now + 40 * MS);
            now += 50 * MS;
            seq += 6;
        }
        assertThat(gen.rttNanos()).isBetween(38 * MS, 42 * MS);
        assertThat(gen.retryIntervalNanos()).isBetween(38 * MS, 50 * MS);

        // A lost repair: asked again once that interval passed, not the 100 ms default.
        feed(seq, seq + 3, now, seq + 1);
        assertThat(due(now + 10 * MS)).containsExactly(seq + 1);
        assertThat(due(now + 30 * MS)).isEmpty();
        assertThat(due(now + 10 * MS + gen.retryIntervalNanos())).containsExactly(seq + 1);
    }

    @Test
    void aRepairAfterSeveralNacksDoesNotMoveTheRoundTrip() {
        feed(1, 10, 0, 5);
        due(10 * MS);
        due(120 * MS);
        gen.onPacket(SSRC, 5, true, 125 * MS); // which NACK did it answer? (Karn's rule: none counted)
        assertThat(gen.rttNanos()).isEqualTo(NackGenerator.DEFAULT_RTT_NANOS);
        assertThat(gen.recovered()).isEqualTo(1);
    }

    @Test
    void aPacketIsGivenUpAfterTheRetryLimit() {
        NackGenerator g = new NackGenerator(1000, 3, TimeUnit.SECONDS.toNanos(10));
        for (int s = 0; s <= 10; s++) if (s != 6) g.onPacket(SSRC, s, false, 0);
        int asked = 0;
        for (long t = 10 * MS; t < 2000 * MS; t += 10 * MS) asked += g.collect(t, out, out.length);
        assertThat(asked).isEqualTo(3);
        assertThat(g.missing()).isZero();
        assertThat(g.givenUp()).isEqualTo(1);
    }

    @Test
    void aPacketIsGivenUpWhenTooOld() {
        feed(1, 10, 0, 5);
        assertThat(due(10 * MS)).containsExactly(5);
        // The default limit is one second: past it the packet is useless to the receivers' jitter buffers.
        assertThat(due(1001 * MS)).isEmpty();
        assertThat(gen.missing()).isZero();
        assertThat(gen.givenUp()).isEqualTo(1);
        assertThat(gen.onPacket(SSRC, 5, true, 1002 * MS)).as("a late repair is no longer tracked").isEqualTo(NackGenerator.DUPLICATE);
    }

    @Test
    void holesAcrossTheSixteenBitWrapAreAskedForInOrder() {
        feed(65530, 5, 0, 65534, 65535, 0, 2);
        assertThat(gen.missing()).isEqualTo(4);
        assertThat(due(10 * MS)).containsExactly(65534, 65535, 0, 2);
        assertThat(gen.onPacket(SSRC, 65535, true, 20 * MS)).isEqualTo(NackGenerator.RECOVERED);
        assertThat(gen.onPacket(SSRC, 0, true, 20 * MS)).isEqualTo(NackGenerator.RECOVERED);
        assertThat(due(200 * MS)).containsExactly(65534, 2);
    }

    @Test
    void aHugeJumpAsksForAKeyFrameInsteadOfAThousandRetransmissions() {
        feed(1, 10, 0, 3);
        assertThat(gen.onPacket(SSRC, 10 + 1002, false, MS)).isEqualTo(NackGenerator.KEYFRAME_NEEDED);
        assertThat(gen.missing()).isZero();
        assertThat(gen.keyframesNeeded()).isEqualTo(1);
        assertThat(gen.givenUp()).isEqualTo(1);
        // The stream goes on from there.
        assertThat(gen.onPacket(SSRC, 1014, false, 2 * MS)).isEqualTo(NackGenerator.IN_ORDER);
        assertThat(due(10 * MS)).containsExactly(1013);
    }

    @Test
    void theSetIsBoundedAndOverflowAsksForAKeyFrame() {
        NackGenerator g = new NackGenerator(100, 10, TimeUnit.SECONDS.toNanos(1));
        int seq = 0;
        int result = NackGenerator.IN_ORDER;
        // Every other packet lost: the 101st hole overflows the set.
        for (int k = 0; k < 101 && result != NackGenerator.KEYFRAME_NEEDED; k++) {
            result = g.onPacket(SSRC, seq, false, 0);
            seq += 2;
            assertThat(g.missing()).isLessThanOrEqualTo(100);
        }
        result = g.onPacket(SSRC, seq, false, 0);
        assertThat(result).isEqualTo(NackGenerator.KEYFRAME_NEEDED);
        assertThat(g.missing()).isZero();
        assertThat(g.collect(MS, out, out.length)).isZero();
    }

    @Test
    void holesOlderThanTheWindowAreGivenUpAndNeverAskedFor() {
        NackGenerator g = new NackGenerator(1000, 10, TimeUnit.SECONDS.toNanos(100));
        g.onPacket(SSRC, 0, false, 0);
        g.onPacket(SSRC, 2, false, 0); // 1 missing
        for (int s = 3; s < 3 + NackGenerator.WINDOW; s++) g.onPacket(SSRC, s, false, 0);
        assertThat(g.missing()).isZero();
        assertThat(g.givenUp()).isEqualTo(1);
    }

    @Test
    void collectStopsAtTheCallersLimitAndKeepsTheRestForTheNextTick() {
        feed(0, 40, 0, 5, 10, 15, 20, 25);
        assertThat(gen.collect(10 * MS, out, 3)).isEqualTo(3);
        assertThat(out).startsWith(5, 10, 15);
        assertThat(due(20 * MS)).containsExactly(20, 25);
    }

    @Test
    void aNewSsrcStartsAfreshAndARepairOfTheOldOneIsIgnored() {
        feed(1, 10, 0, 4);
        assertThat(gen.onPacket(0x9999, 5000, false, MS)).isEqualTo(NackGenerator.IN_ORDER);
        assertThat(gen.ssrc()).isEqualTo(0x9999);
        assertThat(gen.missing()).isZero();
        assertThat(gen.onPacket(SSRC, 4, true, 2 * MS)).isEqualTo(NackGenerator.DUPLICATE);
        assertThat(gen.ssrc()).isEqualTo(0x9999);
    }

    @Test
    void aSequenceRestartOfTheSameSsrcStartsAfresh() {
        feed(30000, 30010, 0);
        assertThat(gen.onPacket(SSRC, 100, false, MS)).isEqualTo(NackGenerator.DUPLICATE);
        assertThat(gen.onPacket(SSRC, 102, false, MS)).isEqualTo(NackGenerator.IN_ORDER);
        assertThat(due(10 * MS)).containsExactly(101);
    }

    @Test
    void theNackPacketPacksNeighboursIntoTheBitmask() {
        byte[] b = new byte[200];
        int[] seqs = {65530, 65531, 65535, 4, 21, 40};
        int n = RtcpWriter.nack(b, 0, 0xAA, 0xBB, seqs, seqs.length, 10);
        RtcpCompound c = new RtcpCompound();
        assertThat(c.wrap(b, 0, n)).isEqualTo(RtcpStatus.OK);
        assertThat(c.isNack(0)).isTrue();
        assertThat(c.mediaSsrc(0)).isEqualTo(0xBB);
        assertThat(c.nackCount(0)).isEqualTo(3);
        // 65531, 65535 and 4 (across the wrap) are 1, 5 and 10 after 65530; 21 is 17 after 4: a new entry.
        assertThat(c.nackPid(0, 0)).isEqualTo(65530);
        assertThat(c.nackBlp(0, 0)).isEqualTo(0b10_0001_0001);
        assertThat(c.nackPid(0, 1)).isEqualTo(21);
        assertThat(c.nackBlp(0, 1)).isZero();
        assertThat(c.nackPid(0, 2)).isEqualTo(40);
        assertThat(RtcpWriter.nack(b, 0, 0xAA, 0xBB, seqs, seqs.length, 1)).as("entry limit").isEqualTo(16);
    }
}
