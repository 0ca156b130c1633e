package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The VP9 payload descriptor (RFC 9628 §4.2) as the SFU reads it: picture id, layer indices, TL0PICIDX, reference
 * indices, the scalability structure; key pictures; in-place rewriting; and every truncation refused.
 */
class Vp9DescriptorTest {
    private final Vp9Descriptor vp9 = new Vp9Descriptor();

    static final int[][] L3 = {{320, 180}, {640, 360}, {1280, 720}};

    private boolean parse(byte[] p) {
        byte[] b = new byte[p.length + 4];
        System.arraycopy(p, 0, b, 2, p.length);
        return vp9.parse(b, 2, p.length);
    }

    @Test
    void readsANonFlexibleKeyPictureWithItsScalabilityStructure() {
        byte[] p = Vp9Packets.nonFlexible(new Vp9Packets.Fields(0x1234, false, 0, false, 0, false, 7, true, false, L3, 4),
                (byte) 0x82, (byte) 0x49);
        assertThat(parse(p)).isTrue();
        assertThat(vp9.pictureId()).isEqualTo(0x1234);
        assertThat(vp9.pictureIdModulus()).isEqualTo(0x8000);
        assertThat(vp9.interPicture()).isFalse();
        assertThat(vp9.flexible()).isFalse();
        assertThat(vp9.beginOfFrame()).isTrue();
        assertThat(vp9.endOfFrame()).isFalse();
        assertThat(vp9.temporalId()).isZero();
        assertThat(vp9.spatialId()).isZero();
        assertThat(vp9.tl0PicIdx()).isEqualTo(7);
        assertThat(vp9.keyframe()).isTrue();
        assertThat(vp9.hasStructure()).isTrue();
        assertThat(vp9.structureLayers()).isEqualTo(3);
        assertThat(vp9.structureWidth(1)).isEqualTo(640);
        assertThat(vp9.structureHeight(2)).isEqualTo(720);
        assertThat(vp9.groupSize()).isEqualTo(4);
        assertThat(vp9.frameWidth()).isEqualTo(1280);
        assertThat(vp9.length()).isEqualTo(p.length - 2);
    }

    @Test
    void anUpperLayerOrAnInterPictureIsNotAKeyPicture() {
        assertThat(parse(Vp9Packets.nonFlexible(new Vp9Packets.Fields(5, false, 0, false, 1, true, 7, true, true, null, 0)))).isTrue();
        assertThat(vp9.spatialId()).isEqualTo(1);
        assertThat(vp9.interLayer()).isTrue();
        assertThat(vp9.keyframe()).as("SID 1 of a key picture is not where it starts").isFalse();
        assertThat(parse(Vp9Packets.nonFlexible(new Vp9Packets.Fields(6, true, 2, true, 0, false, 7, true, true, null, 0)))).isTrue();
        assertThat(vp9.keyframe()).isFalse();
        assertThat(vp9.temporalId()).isEqualTo(2);
        assertThat(vp9.layerSync()).isTrue();
        assertThat(vp9.endOfFrame()).isTrue();
        assertThat(vp9.frameWidth()).isZero();
    }

    @Test
    void readsFlexibleModeReferencesAndAShortPictureIdWithoutLayers() {
        // I, P, L, F, B: 7-bit picture id 9, TID 1 SID 2, then two P_DIFFs (N set on the first).
        byte[] p = {(byte) 0xF8, 9, (byte) ((1 << 5) | (2 << 1)), 0x03, 0x02, 0x55};
        assertThat(parse(p)).isTrue();
        assertThat(vp9.flexible()).isTrue();
        assertThat(vp9.tl0PicIdx()).as("no TL0PICIDX in flexible mode").isEqualTo(PayloadDescriptor.ABSENT);
        assertThat(vp9.pictureIdModulus()).isEqualTo(0x80);
        assertThat(vp9.referenceCount()).isEqualTo(2);
        assertThat(vp9.spatialId()).isEqualTo(2);
        assertThat(vp9.length()).isEqualTo(5);
        assertThat(parse(new byte[] {0x0C, 1, 2})).as("only B and E").isTrue();
        assertThat(vp9.pictureId()).isEqualTo(PayloadDescriptor.ABSENT);
        assertThat(vp9.spatialId()).isEqualTo(PayloadDescriptor.ABSENT);
        assertThat(vp9.keyframe()).isTrue();
    }

    @Test
    void refusesEveryTruncationAndMoreThanThreeReferences() {
        byte[] full = Vp9Packets.nonFlexible(new Vp9Packets.Fields(0x1234, false, 0, false, 0, false, 7, true, false, L3, 4));
        for (int n = 0; n < full.length; n++) {
            assertThat(parse(Arrays.copyOf(full, n))).as("%d of %d bytes", n, full.length).isFalse();
        }
        assertThat(parse(full)).isTrue();
        assertThat(parse(new byte[] {(byte) 0x58, 0x03, 0x03, 0x03, 0x02})).as("four P_DIFFs").isFalse();
        assertThat(parse(new byte[] {(byte) 0x58, 0x03})).as("a P_DIFF promising another that is not there").isFalse();
    }

    @Test
    void rewritesPictureIdAndTl0PicIdxInPlaceKeepingTheFieldWidth() {
        byte[] p = Vp9Packets.nonFlexible(new Vp9Packets.Fields(0x7FFF, true, 1, false, 0, false, 255, true, true, null, 0));
        assertThat(vp9.parse(p, 0, p.length)).isTrue();
        vp9.setPictureId(0x0102);
        vp9.setTl0PicIdx(3);
        assertThat(vp9.parse(p, 0, p.length)).isTrue();
        assertThat(vp9.pictureId()).isEqualTo(0x0102);
        assertThat(vp9.tl0PicIdx()).isEqualTo(3);
        assertThat(vp9.temporalId()).isEqualTo(1);
        byte[] shortId = {(byte) 0x88, 0x05, 0x00};
        assertThat(vp9.parse(shortId, 0, 3)).isTrue();
        vp9.setPictureId(0x81);
        assertThat(shortId[1]).isEqualTo((byte) 0x01);
    }
}
