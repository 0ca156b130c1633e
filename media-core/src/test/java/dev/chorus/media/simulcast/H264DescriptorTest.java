package dev.chorus.media.simulcast;

import static dev.chorus.media.simulcast.H264Packets.IDR;
import static dev.chorus.media.simulcast.H264Packets.PPS;
import static dev.chorus.media.simulcast.H264Packets.SLICE;
import static dev.chorus.media.simulcast.H264Packets.SPS_1280x720;
import static dev.chorus.media.simulcast.H264Packets.SPS_320x180;
import static dev.chorus.media.simulcast.H264Packets.SPS_640x360;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * H.264 payloads as the SFU reads them (RFC 6184, packetization-mode 1): where a decoder can start (an SPS, or an
 * IDR slice's first packet, whether single, aggregated in an STAP-A or fragmented in FU-A), the frame size from the
 * SPS, and the packets it refuses.
 */
class H264DescriptorTest {
    private final H264Descriptor h264 = new H264Descriptor();

    private boolean parse(byte[] p) {
        // Offset 3 inside a larger buffer: the parser must honour off/len.
        byte[] b = new byte[p.length + 6];
        System.arraycopy(p, 0, b, 3, p.length);
        return h264.parse(b, 3, p.length);
    }

    @Test
    void anIdrSliceInASingleNalUnitPacketIsAKeyFrame() {
        assertThat(parse(H264Packets.single(IDR))).isTrue();
        assertThat(h264.keyframe()).isTrue();
        assertThat(h264.nalType()).isEqualTo(H264Descriptor.IDR);
        assertThat(h264.frameWidth()).isZero();
    }

    @Test
    void aNonIdrSliceIsNot() {
        assertThat(parse(H264Packets.single(SLICE))).isTrue();
        assertThat(h264.keyframe()).isFalse();
        assertThat(parse(H264Packets.single(PPS))).isTrue();
        assertThat(h264.keyframe()).isFalse();
    }

    @Test
    void anStapAWithSpsAndPpsStartsAKeyFrameAndGivesItsSize() {
        assertThat(parse(H264Packets.stapA(SPS_640x360, PPS))).isTrue();
        assertThat(h264.nalType()).isEqualTo(H264Descriptor.STAP_A);
        assertThat(h264.keyframe()).isTrue();
        assertThat(h264.frameWidth()).isEqualTo(640);
        assertThat(h264.frameHeight()).isEqualTo(360);
        assertThat(parse(H264Packets.stapA(PPS, IDR))).as("an IDR aggregated after the PPS").isTrue();
        assertThat(h264.keyframe()).isTrue();
        assertThat(parse(H264Packets.stapA(PPS, SLICE))).isTrue();
        assertThat(h264.keyframe()).isFalse();
    }

    @Test
    void readsTheSizeOfEachRealSps() {
        for (Object[] c : new Object[][] {{SPS_320x180, 320, 180}, {SPS_640x360, 640, 360}, {SPS_1280x720, 1280, 720}}) {
            assertThat(parse(H264Packets.single((byte[]) c[0]))).isTrue();
            assertThat(h264.keyframe()).isTrue();
            assertThat(h264.frameWidth()).isEqualTo(c[1]);
            assertThat(h264.frameHeight()).isEqualTo(c[2]);
        }
    }

    @Test
    void onlyTheFirstFuAFragmentOfAnIdrIsAKeyFrameStart() {
        byte[][] fragments = H264Packets.fuA(IDR, 3);
        assertThat(parse(fragments[0])).isTrue();
        assertThat(h264.nalType()).isEqualTo(H264Descriptor.FU_A);
        assertThat(h264.keyframe()).isTrue();
        assertThat(parse(fragments[1])).isTrue();
        assertThat(h264.keyframe()).isFalse();
        assertThat(parse(fragments[2])).isTrue();
        assertThat(h264.keyframe()).isFalse();
        assertThat(parse(H264Packets.fuA(SLICE, 2)[0])).isTrue();
        assertThat(h264.keyframe()).isFalse();
    }

    @Test
    void aTruncatedSpsIsAKeyFrameOfUnknownSize() {
        assertThat(parse(java.util.Arrays.copyOf(SPS_1280x720, 6))).isTrue();
        assertThat(h264.keyframe()).isTrue();
        assertThat(h264.frameWidth()).isZero();
    }

    @Test
    void anSpsWithEmulationPreventionBytesIsReadThroughThem() {
        // max_num_ref_frames 2^24 - 1 (ue: 24 zero bits, 1, 24 zero bits) makes the RBSP hold 00 00 0x sequences.
        byte[] sps = baselineSps((1 << 24) - 1, 40, 23, 4);
        assertThat(HexFormat.of().formatHex(sps)).as("the writer inserted emulation prevention").contains("000003");
        assertThat(parse(H264Packets.single(sps))).isTrue();
        assertThat(h264.keyframe()).isTrue();
        assertThat(h264.frameWidth()).isEqualTo(640);
        assertThat(h264.frameHeight()).isEqualTo(360);
    }

    /** A baseline SPS NAL unit (§7.3.2.1.1) with POC type 2 and bottom cropping, emulation prevention inserted. */
    static byte[] baselineSps(int maxRefFrames, int widthMbs, int heightMbs, int cropBottom) {
        StringBuilder bits = new StringBuilder();
        java.util.function.BiConsumer<Integer, Integer> u = (v, n) -> {
            for (int i = n - 1; i >= 0; i--) bits.append((v >>> i) & 1);
        };
        java.util.function.IntConsumer ue = v -> {
            String code = Long.toBinaryString(v + 1L);
            bits.append("0".repeat(code.length() - 1)).append(code);
        };
        u.accept(66, 8);
        u.accept(0xC0, 8);
        u.accept(30, 8);
        ue.accept(0); // sps id
        ue.accept(0); // log2_max_frame_num_minus4
        ue.accept(2); // pic_order_cnt_type
        ue.accept(maxRefFrames);
        u.accept(0, 1); // gaps
        ue.accept(widthMbs - 1);
        ue.accept(heightMbs - 1);
        u.accept(1, 1); // frame_mbs_only
        u.accept(1, 1); // direct_8x8
        u.accept(1, 1); // frame_cropping
        ue.accept(0);
        ue.accept(0);
        ue.accept(0);
        ue.accept(cropBottom);
        u.accept(0, 1); // no VUI
        bits.append('1'); // rbsp_stop_one_bit
        while (bits.length() % 8 != 0) bits.append('0');
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x67);
        int zeros = 0;
        for (int i = 0; i < bits.length(); i += 8) {
            int b = Integer.parseInt(bits.substring(i, i + 8), 2);
            if (zeros >= 2 && b <= 3) {
                out.write(3);
                zeros = 0;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }

    @Test
    void refusesWhatPacketizationMode1DoesNotSendAndTruncatedAggregates() {
        assertThat(parse(new byte[0])).isFalse();
        assertThat(parse(new byte[] {25, 0, 1, 0x65})).as("STAP-B").isFalse();
        assertThat(parse(new byte[] {26, 0, 0, 0})).as("MTAP16").isFalse();
        assertThat(parse(new byte[] {29, (byte) 0x85, 0, 0})).as("FU-B").isFalse();
        assertThat(parse(new byte[] {0})).as("type 0").isFalse();
        assertThat(parse(new byte[] {31})).as("type 31").isFalse();
        byte[] stap = H264Packets.stapA(SPS_640x360, PPS);
        assertThat(parse(java.util.Arrays.copyOf(stap, stap.length - 1))).as("a unit past the end").isFalse();
        assertThat(parse(new byte[] {24})).as("an empty STAP-A").isFalse();
        assertThat(parse(new byte[] {24, 0, 0})).as("a zero-length unit").isFalse();
        assertThat(parse(new byte[] {28, (byte) 0xC5, 1})).as("FU-A with start and end").isFalse();
        assertThat(parse(new byte[] {28, (byte) 0x98, 1})).as("FU-A of an STAP-A").isFalse();
        assertThat(parse(new byte[] {28, (byte) 0x85})).as("FU-A without payload").isFalse();
    }
}
