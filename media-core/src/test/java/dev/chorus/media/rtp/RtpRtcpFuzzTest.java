package dev.chorus.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz harnesses of the RTP and RTCP views, which read every decrypted packet on the media workers. Contract: wrap
 * never throws; an accepted RTP packet's header, extension, payload and padding lie inside it; every accessor of an
 * accepted RTCP compound answers without throwing, and a REMB bitrate is never negative (a mantissa shifted by a
 * large exponent saturates instead of overflowing).
 */
class RtpRtcpFuzzTest {

    @FuzzTest
    void rtp(byte[] data) {
        checkRtp(data);
    }

    @FuzzTest
    void rtcp(byte[] data) {
        checkRtcp(data);
    }

    /** Entry point for the standalone fuzzing driver: the first byte picks RTP or RTCP. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) return;
        byte[] rest = java.util.Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 1) == 0) checkRtp(rest); else checkRtcp(rest);
    }

    static void checkRtp(byte[] data) {
        RtpPacket p = new RtpPacket();
        RtpStatus s = p.wrap(data, 0, data.length);
        assertThat(s).isNotNull();
        if (s != RtpStatus.OK) return;
        assertThat(p.headerLength()).isBetween(RtpPacket.FIXED_HEADER, data.length);
        assertThat(p.payloadLength()).isBetween(0, data.length);
        assertThat(p.payloadOffset() + p.payloadLength() + p.paddingLength()).isEqualTo(data.length);
        if (p.hasExtension()) {
            assertThat(p.extensionOffset() + p.extensionLength()).isLessThanOrEqualTo(p.payloadOffset());
            for (int id = 0; id < 16; id++) {
                p.findExtension(id); // any id, present or not: never reads outside the packet
            }
        }
    }

    static void checkRtcp(byte[] data) {
        RtcpCompound c = new RtcpCompound();
        RtcpStatus s = c.wrap(data, 0, data.length);
        assertThat(s).isNotNull();
        if (s != RtcpStatus.OK) return;
        assertThat(c.packetCount()).isBetween(1, RtcpCompound.MAX_PACKETS);
        for (int i = 0; i < c.packetCount(); i++) {
            assertThat(c.packetOffset(i) + c.packetLength(i)).isLessThanOrEqualTo(data.length);
            c.packetType(i);
            c.senderSsrc(i);
            c.isPli(i);
            c.isFir(i);
            c.isNack(i);
            if (c.isRemb(i)) {
                assertThat(c.rembBitrate(i)).isGreaterThanOrEqualTo(0);
                for (int k = 0; k < c.rembSsrcCount(i); k++) c.rembSsrc(i, k);
            }
        }
    }
}
