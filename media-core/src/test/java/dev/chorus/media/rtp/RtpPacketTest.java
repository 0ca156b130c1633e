package dev.chorus.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RTP header views (SECURITY-CHECKLIST 40): valid headers read right; every malformed one is refused with a reason. */
class RtpPacketTest {
    private final RtpPacket rtp = new RtpPacket();

    /** V=2, optional CSRCs, optional one-byte extension with the given elements, payload, optional padding. */
    static byte[] packet(int csrcs, byte[] extension, int payload, int padding) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80 | (padding > 0 ? 0x20 : 0) | (extension != null ? 0x10 : 0) | csrcs);
        o.write(0x80 | 96); // marker + PT 96
        o.writeBytes(new byte[] {0x12, 0x34}); // seq
        o.writeBytes(new byte[] {0x01, 0x02, 0x03, 0x04}); // ts
        o.writeBytes(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE}); // ssrc
        for (int i = 0; i < csrcs; i++) {
            o.writeBytes(new byte[] {0, 0, 0, (byte) (i + 1)});
        }
        if (extension != null) {
            int words = (extension.length + 3) / 4;
            o.writeBytes(new byte[] {(byte) 0xBE, (byte) 0xDE, (byte) (words >>> 8), (byte) words});
            o.writeBytes(Arrays.copyOf(extension, words * 4));
        }
        for (int i = 0; i < payload; i++) {
            o.write(0xAA);
        }
        for (int i = 1; i <= padding; i++) {
            o.write(i == padding ? padding : 0);
        }
        return o.toByteArray();
    }

    /** mid (id 4) = "0", audio level (id 1) = one byte. */
    static final byte[] EXT = {0x40, '0', 0x10, (byte) 0x85};

    @Test
    void readsAValidPacketWithCsrcsExtensionAndPadding() {
        byte[] b = packet(2, EXT, 100, 4);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.version()).isEqualTo(2);
        assertThat(rtp.marker()).isTrue();
        assertThat(rtp.payloadType()).isEqualTo(96);
        assertThat(rtp.sequenceNumber()).isEqualTo(0x1234);
        assertThat(rtp.timestamp()).isEqualTo(0x01020304L);
        assertThat(rtp.ssrc()).isEqualTo(0xCAFEBABEL);
        assertThat(rtp.csrcCount()).isEqualTo(2);
        assertThat(rtp.csrc(1)).isEqualTo(2);
        assertThat(rtp.headerLength()).isEqualTo(12 + 8 + 4 + 4);
        assertThat(rtp.paddingLength()).isEqualTo(4);
        assertThat(rtp.payloadLength()).isEqualTo(100);
        long mid = rtp.findExtension(4);
        assertThat(mid).isNotNegative();
        assertThat(b[(int) (mid >>> 16)]).isEqualTo((byte) '0');
        assertThat(mid & 0xFFFF).isEqualTo(1);
        assertThat(rtp.findExtension(1) & 0xFFFF).isEqualTo(1);
        assertThat(rtp.findExtension(7)).isEqualTo(-1);
    }

    @Test
    void rewritesSsrcSequenceTimestampInPlace() {
        byte[] b = packet(0, null, 10, 0);
        rtp.wrap(b, 0, b.length);
        rtp.setSsrc(0xFFFFFFFFL);
        rtp.setSequenceNumber(65535);
        rtp.setTimestamp(0x80000000L);
        rtp.setPayloadType(111);
        rtp.setMarker(false);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.ssrc()).isEqualTo(0xFFFFFFFFL);
        assertThat(rtp.sequenceNumber()).isEqualTo(65535);
        assertThat(rtp.timestamp()).isEqualTo(0x80000000L);
        assertThat(rtp.payloadType()).isEqualTo(111);
        assertThat(rtp.marker()).isFalse();
        assertThat(rtp.payloadLength()).isEqualTo(10);
    }

    @Test
    void worksAtAnOffsetInsideALargerBuffer() {
        byte[] p = packet(1, EXT, 20, 0);
        byte[] big = new byte[p.length + 50];
        System.arraycopy(p, 0, big, 17, p.length);
        assertThat(rtp.wrap(big, 17, p.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.payloadOffset()).isEqualTo(17 + 12 + 4 + 8);
    }

    @Test
    void truncatedHeaderIsRefused() {
        byte[] b = packet(0, null, 0, 0);
        for (int n = 0; n < 12; n++) {
            assertThat(rtp.wrap(b, 0, n)).isEqualTo(RtpStatus.TOO_SHORT);
        }
        assertThat(rtp.wrap(b, 0, 12)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.wrap(b, 5, 12)).as("region past the array").isEqualTo(RtpStatus.TOO_SHORT);
    }

    @Test
    void csrcListPastTheEndIsRefused() {
        byte[] b = packet(15, null, 0, 0);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.wrap(b, 0, b.length - 1)).isEqualTo(RtpStatus.CSRC_PAST_END);
        byte[] c = packet(0, null, 8, 0);
        c[0] |= 0x0F; // claims 15 CSRCs, has 8 bytes
        assertThat(rtp.wrap(c, 0, c.length)).isEqualTo(RtpStatus.CSRC_PAST_END);
    }

    @Test
    void extensionPastTheEndIsRefused() {
        byte[] b = packet(0, EXT, 0, 0);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.wrap(b, 0, b.length - 1)).isEqualTo(RtpStatus.EXTENSION_PAST_END);
        assertThat(rtp.wrap(b, 0, 14)).isEqualTo(RtpStatus.EXTENSION_PAST_END); // extension header cut
        b[15] = (byte) 0xFF; // extension length 255 words
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.EXTENSION_PAST_END);
    }

    @Test
    void extensionElementPastItsBlockIsRefused() {
        byte[] b = packet(0, new byte[] {0x4F, 1, 2, 3}, 10, 0); // id 4 claims 16 bytes in a 4-byte block
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.BAD_EXTENSION_ELEMENT);
    }

    @Test
    void paddingLargerThanPayloadOrZeroIsRefused() {
        byte[] b = packet(0, null, 3, 4);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        b[b.length - 1] = 8; // 8 > 3 payload + 4 padding? 7 bytes after the header
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.BAD_PADDING);
        b[b.length - 1] = 7; // exactly all bytes after the header: empty payload, allowed
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.OK);
        assertThat(rtp.payloadLength()).isZero();
        b[b.length - 1] = 0;
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.BAD_PADDING);
        byte[] onlyHeader = packet(0, null, 0, 0);
        onlyHeader[0] |= 0x20; // P set, last byte of the header (SSRC) read as count
        assertThat(rtp.wrap(onlyHeader, 0, onlyHeader.length)).isEqualTo(RtpStatus.BAD_PADDING);
    }

    @Test
    void wrongVersionAndRtcpAreDistinguished() {
        byte[] b = packet(0, null, 4, 0);
        b[0] = (byte) ((b[0] & 0x3F) | 0x40);
        assertThat(rtp.wrap(b, 0, b.length)).isEqualTo(RtpStatus.BAD_VERSION);
        for (int pt = 192; pt <= 223; pt++) { // RFC 5761: these are RTCP
            byte[] r = packet(0, null, 4, 0);
            r[1] = (byte) pt;
            assertThat(RtpPacket.isRtcp(r, 0, r.length)).isTrue();
            assertThat(rtp.wrap(r, 0, r.length)).isEqualTo(RtpStatus.IS_RTCP);
        }
        byte[] m = packet(0, null, 4, 0);
        m[1] = (byte) (0x80 | 100); // marker + PT 100 → second byte 228: RTP
        assertThat(RtpPacket.isRtcp(m, 0, m.length)).isFalse();
        assertThat(rtp.wrap(m, 0, m.length)).isEqualTo(RtpStatus.OK);
    }

    @Test
    void randomBytesNeverThrowAndOkViewsStayInBounds() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[rnd.nextInt(0, 80)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) rnd.nextInt(256);
            }
            if (b.length > 0) {
                b[0] = (byte) (0x80 | (b[0] & 0x3F));
            }
            if (rtp.wrap(b, 0, b.length) == RtpStatus.OK) {
                assertThat(rtp.payloadOffset() + rtp.payloadLength() + rtp.paddingLength()).isEqualTo(b.length);
                assertThat(rtp.payloadLength()).isNotNegative();
                for (int id = 1; id < 16; id++) {
                    long e = rtp.findExtension(id);
                    if (e >= 0) {
                        assertThat((e >>> 16) + (e & 0xFFFF)).isLessThanOrEqualTo(rtp.headerLength());
                    }
                }
            }
        }
    }
}
