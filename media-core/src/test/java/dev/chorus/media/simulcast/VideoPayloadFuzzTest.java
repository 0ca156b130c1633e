package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;

/**
 * Fuzz harness of the video payload parsers the media workers run on every packet of a layered track (issue 12):
 * the VP8, VP9 and H.264 descriptors, and the layer selectors fed what they parsed. The first byte picks the codec
 * and the selector's target; the rest is the RTP payload behind a fixed header. Contract: parse never throws; an
 * accepted VP8/VP9 descriptor lies inside the payload; frame sizes are never negative; the selectors never throw,
 * and rewriting in place never changes the packet's length or its payload beyond the descriptor.
 */
class VideoPayloadFuzzTest {

    @FuzzTest
    void payloads(byte[] data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(byte[] data) {
        check(data);
    }

    static void check(byte[] data) {
        if (data.length == 0) return;
        int pick = data[0] & 0xFF;
        byte[] packet = new byte[12 + data.length - 1];
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        packet[3] = (byte) pick;
        System.arraycopy(data, 1, packet, 12, data.length - 1);
        RtpPacket rtp = new RtpPacket();
        if (rtp.wrap(packet, 0, packet.length) != RtpStatus.OK) return;
        VideoCodec codec = VideoCodec.values()[pick % 3];
        PayloadDescriptor d = codec.newDescriptor();
        byte[] before = packet.clone();
        if (!d.parse(packet, rtp.payloadOffset(), rtp.payloadLength())) return;
        assertThat(d.frameWidth()).isNotNegative();
        assertThat(d.frameHeight()).isNotNegative();
        int descriptorLength = switch (d) {
            case Vp8Descriptor v -> v.length();
            case Vp9Descriptor v -> v.length();
            default -> 0;
        };
        assertThat(descriptorLength).isBetween(0, rtp.payloadLength());
        LayerSelector layers = new LayerSelector(90_000);
        layers.setTarget(0, (pick >>> 2) & 3);
        layers.accept(0, rtp, d, 1_000_000L);
        if (d instanceof Vp9Descriptor vp9) {
            SvcSelector svc = new SvcSelector();
            svc.setTarget((pick >>> 4) & 3, (pick >>> 6) & 3);
            assertThat(vp9.parse(packet, rtp.payloadOffset(), rtp.payloadLength())).isTrue();
            svc.accept(rtp, vp9);
        }
        assertThat(packet).hasSameSizeAs(before);
        int payloadStart = 12 + Math.max(descriptorLength, 0);
        for (int i = payloadStart; i < packet.length; i++) {
            assertThat(packet[i]).as("payload byte %d untouched", i).isEqualTo(before[i]);
        }
    }
}
