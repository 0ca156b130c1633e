package dev.chorus.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RTCP compound views: every packet type reads right, every length violation is refused (checklist 40). */
class RtcpCompoundTest {
    private final RtcpCompound rtcp = new RtcpCompound();

    private static final class B {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();

        B header(int countOrFmt, int pt, int bodyBytesAfterHeader) {
            int words = (4 + bodyBytesAfterHeader) / 4 - 1;
            o.write(0x80 | countOrFmt);
            o.write(pt);
            o.write(words >>> 8);
            o.write(words);
            return this;
        }

        B u32(long v) {
            o.write((int) (v >>> 24));
            o.write((int) (v >>> 16));
            o.write((int) (v >>> 8));
            o.write((int) v);
            return this;
        }

        B bytes(int... b) {
            for (int x : b) {
                o.write(x);
            }
            return this;
        }

        byte[] get() {
            return o.toByteArray();
        }
    }

    static B sr(B b, int blocks) {
        b.header(blocks, 200, 24 + 24 * blocks).u32(0x11111111L).u32(0xAAAAAAAAL).u32(0xBBBBBBBBL).u32(90000).u32(10).u32(1000);
        for (int k = 0; k < blocks; k++) {
            b.u32(0x22222222L + k).bytes(25, 0xFF, 0xFF, 0xFE).u32(5000).u32(30).u32(0x1234).u32(0x10);
        }
        return b;
    }

    static B sdes(B b) {
        // one chunk: SSRC, CNAME "abc", end → 4 + 2 + 3 + 1 = 10 → padded to 12
        return b.header(1, 202, 12).u32(0x11111111L).bytes(1, 3, 'a', 'b', 'c', 0, 0, 0);
    }

    @Test
    void srWithReportBlocksAndSdes() {
        byte[] p = sdes(sr(new B(), 2)).get();
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.OK);
        assertThat(rtcp.packetCount()).isEqualTo(2);
        assertThat(rtcp.packetType(0)).isEqualTo(RtcpCompound.SR);
        assertThat(rtcp.senderSsrc(0)).isEqualTo(0x11111111L);
        assertThat(rtcp.srNtpTimestamp(0)).isEqualTo(0xAAAAAAAABBBBBBBBL);
        assertThat(rtcp.srRtpTimestamp(0)).isEqualTo(90000);
        assertThat(rtcp.srPacketCount(0)).isEqualTo(10);
        assertThat(rtcp.srOctetCount(0)).isEqualTo(1000);
        assertThat(rtcp.reportBlockCount(0)).isEqualTo(2);
        assertThat(rtcp.blockSsrc(0, 1)).isEqualTo(0x22222223L);
        assertThat(rtcp.blockFractionLost(0, 0)).isEqualTo(25);
        assertThat(rtcp.blockCumulativeLost(0, 0)).isEqualTo(-2);
        assertThat(rtcp.blockHighestSequence(0, 0)).isEqualTo(5000);
        assertThat(rtcp.packetType(1)).isEqualTo(RtcpCompound.SDES);
        rtcp.setBlockSsrc(0, 0, 7);
        rtcp.setSenderSsrc(0, 9);
        rtcp.wrap(p, 0, p.length);
        assertThat(rtcp.blockSsrc(0, 0)).isEqualTo(7);
        assertThat(rtcp.senderSsrc(0)).isEqualTo(9);
    }

    /** Fuzzing finding: an 18-bit mantissa shifted by 46 overflowed into a negative bitrate; it saturates now. */
    @Test
    void rembBitrateSaturatesAndIsNeverNegative() {
        long[][] cases = {
                {46, 0x3FFFF, Long.MAX_VALUE}, {45, 0x3FFFF, 0x3FFFFL << 45}, {63, 0x3FFFF, Long.MAX_VALUE},
                {62, 1, 1L << 62}, {63, 1, Long.MAX_VALUE}, {63, 0, 0}, {0, 0x3FFFF, 0x3FFFF}, {47, 0x20000, Long.MAX_VALUE},
        };
        for (long[] c : cases) {
            int exp = (int) c[0];
            int mantissa = (int) c[1];
            byte[] p = new B().header(15, 206, 8 + 12).u32(1).u32(0)
                    .bytes('R', 'E', 'M', 'B', 1, (exp << 2) | (mantissa >>> 16), (mantissa >>> 8) & 0xFF, mantissa & 0xFF)
                    .u32(5).get();
            assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.OK);
            assertThat(rtcp.rembBitrate(0)).as("exp %d mantissa %x", exp, mantissa).isEqualTo(c[2]).isNotNegative();
        }
    }

    @Test
    void feedbackPackets() {
        B b = new B();
        b.header(1, 205, 8 + 8).u32(1).u32(2).bytes(0x00, 0x10, 0x00, 0x05).bytes(0x01, 0x00, 0x00, 0x00); // NACK x2
        b.header(1, 206, 8).u32(1).u32(3); // PLI
        b.header(4, 206, 8 + 8).u32(1).u32(0).u32(4).bytes(7, 0, 0, 0); // FIR
        b.header(15, 206, 8 + 12).u32(1).u32(0).bytes('R', 'E', 'M', 'B', 1, (4 << 2) | 1, 0x00, 0x10).u32(5); // REMB
        b.header(15, 205, 8 + 8).u32(1).u32(6).bytes(0, 100, 0, 2).bytes(0, 0, 1, 0); // transport-cc
        b.header(1, 203, 4).u32(6); // BYE
        byte[] p = b.get();
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.OK);
        assertThat(rtcp.packetCount()).isEqualTo(6);
        assertThat(rtcp.isNack(0)).isTrue();
        assertThat(rtcp.mediaSsrc(0)).isEqualTo(2);
        assertThat(rtcp.nackCount(0)).isEqualTo(2);
        assertThat(rtcp.nackPid(0, 0)).isEqualTo(16);
        assertThat(rtcp.nackBlp(0, 0)).isEqualTo(5);
        assertThat(rtcp.isPli(1)).isTrue();
        assertThat(rtcp.mediaSsrc(1)).isEqualTo(3);
        assertThat(rtcp.isFir(2)).isTrue();
        assertThat(rtcp.firCount(2)).isEqualTo(1);
        assertThat(rtcp.firSsrc(2, 0)).isEqualTo(4);
        assertThat(rtcp.firSequence(2, 0)).isEqualTo(7);
        assertThat(rtcp.isRemb(3)).isTrue();
        assertThat(rtcp.rembBitrate(3)).isEqualTo(((1L << 16) | 0x10) << 4);
        assertThat(rtcp.rembSsrc(3, 0)).isEqualTo(5);
        assertThat(rtcp.isTransportCc(4)).isTrue();
        assertThat(rtcp.transportCcBaseSequence(4)).isEqualTo(100);
        assertThat(rtcp.transportCcStatusCount(4)).isEqualTo(2);
        assertThat(rtcp.packetType(5)).isEqualTo(RtcpCompound.BYE);
        rtcp.setMediaSsrc(1, 0xDEADBEEFL);
        rtcp.setFirSsrc(2, 0, 0xFEEDL);
        rtcp.wrap(p, 0, p.length);
        assertThat(rtcp.mediaSsrc(1)).isEqualTo(0xDEADBEEFL);
        assertThat(rtcp.firSsrc(2, 0)).isEqualTo(0xFEEDL);
    }

    @Test
    void malformedCompoundsAreRefused() {
        byte[] ok = sdes(sr(new B(), 1)).get();
        assertThat(rtcp.wrap(ok, 0, ok.length)).isEqualTo(RtcpStatus.OK);
        assertThat(rtcp.wrap(ok, 0, 3)).isEqualTo(RtcpStatus.TOO_SHORT);
        assertThat(rtcp.wrap(ok, 0, ok.length - 4)).isEqualTo(RtcpStatus.LENGTH_PAST_END);
        assertThat(rtcp.wrap(ok, 0, ok.length - 2)).isEqualTo(RtcpStatus.LENGTH_PAST_END);

        byte[] badCount = sr(new B(), 1).get();
        badCount[0] = (byte) (0x80 | 3); // claims 3 report blocks, has 1
        assertThat(rtcp.wrap(badCount, 0, badCount.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);

        byte[] rr = new B().header(2, 201, 4 + 24).u32(1).u32(2).u32(0).u32(0).u32(0).u32(0).u32(0).get();
        assertThat(rtcp.wrap(rr, 0, rr.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);

        byte[] version = ok.clone();
        version[0] = (byte) (version[0] & 0x3F);
        assertThat(rtcp.wrap(version, 0, version.length)).isEqualTo(RtcpStatus.BAD_VERSION);

        byte[] notRtcp = ok.clone();
        notRtcp[1] = 96;
        assertThat(rtcp.wrap(notRtcp, 0, notRtcp.length)).isEqualTo(RtcpStatus.NOT_RTCP);

        byte[] nackEmpty = new B().header(1, 205, 8).u32(1).u32(2).get();
        assertThat(rtcp.wrap(nackEmpty, 0, nackEmpty.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] pliShort = new B().header(1, 206, 4).u32(1).get();
        assertThat(rtcp.wrap(pliShort, 0, pliShort.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] firHalf = new B().header(4, 206, 8 + 4).u32(1).u32(0).u32(4).get();
        assertThat(rtcp.wrap(firHalf, 0, firHalf.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] rembTooManySsrcs = new B().header(15, 206, 8 + 12).u32(1).u32(0)
                .bytes('R', 'E', 'M', 'B', 200, 0, 0, 1).u32(5).get();
        assertThat(rtcp.wrap(rembTooManySsrcs, 0, rembTooManySsrcs.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] tccShort = new B().header(15, 205, 8 + 4).u32(1).u32(2).u32(0).get();
        assertThat(rtcp.wrap(tccShort, 0, tccShort.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] sdesItemPastEnd = new B().header(1, 202, 8).u32(1).bytes(1, 200, 'a', 'b').get();
        assertThat(rtcp.wrap(sdesItemPastEnd, 0, sdesItemPastEnd.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] sdesMissingChunk = new B().header(3, 202, 8).u32(1).bytes(0, 0, 0, 0).get();
        assertThat(rtcp.wrap(sdesMissingChunk, 0, sdesMissingChunk.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] byeTooManySources = new B().header(5, 203, 4).u32(1).get();
        assertThat(rtcp.wrap(byeTooManySources, 0, byeTooManySources.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
        byte[] byeReasonPastEnd = new B().header(1, 203, 8).u32(1).bytes(50, 'x', 'y', 'z').get();
        assertThat(rtcp.wrap(byeReasonPastEnd, 0, byeReasonPastEnd.length)).isEqualTo(RtcpStatus.BAD_PACKET_LENGTH);
    }

    @Test
    void paddingOnlyOnTheLastPacketAndWithinItsBody() {
        B b = new B();
        b.header(1, 206, 12).u32(1).u32(2).bytes(0, 0, 0, 4); // PLI + 4 padding
        byte[] p = b.get();
        p[0] |= 0x20;
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.OK);
        assertThat(rtcp.packetLength(0)).isEqualTo(12);
        p[p.length - 1] = 13; // more than the packet body
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.BAD_PADDING);
        p[p.length - 1] = 0;
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.BAD_PADDING);
        byte[] first = sdes(sr(new B(), 0)).get();
        first[0] |= 0x20; // padding on the first of two packets
        assertThat(rtcp.wrap(first, 0, first.length)).isEqualTo(RtcpStatus.BAD_PADDING);
    }

    @Test
    void tooManyPacketsAreRefused() {
        B b = new B();
        for (int i = 0; i < RtcpCompound.MAX_PACKETS + 1; i++) {
            b.header(1, 206, 8).u32(1).u32(2);
        }
        byte[] p = b.get();
        assertThat(rtcp.wrap(p, 0, p.length)).isEqualTo(RtcpStatus.TOO_MANY_PACKETS);
        assertThat(rtcp.packetCount()).isZero();
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] base = sdes(sr(new B(), 2)).get();
        for (int i = 0; i < 50_000; i++) {
            byte[] b = base.clone();
            for (int k = 0; k < 3; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(b.length + 1);
            if (rtcp.wrap(b, 0, len) == RtcpStatus.OK) {
                for (int p = 0; p < rtcp.packetCount(); p++) {
                    assertThat(rtcp.packetOffset(p) + rtcp.packetLength(p)).isLessThanOrEqualTo(len);
                    for (int k = 0; k < rtcp.reportBlockCount(p); k++) {
                        rtcp.blockDelaySinceLastSr(p, k);
                    }
                    rtcp.senderSsrc(p);
                    if (rtcp.isNack(p)) {
                        rtcp.nackBlp(p, rtcp.nackCount(p) - 1);
                    }
                    if (rtcp.isRemb(p)) {
                        rtcp.rembBitrate(p);
                    }
                }
            }
        }
    }
}
