package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The VP8 payload descriptor (RFC 7741 §4.2) is read field by field and rewritten in place. */
class Vp8DescriptorTest {
    private final Vp8Descriptor vp8 = new Vp8Descriptor();

    @Test
    void readsAllOptionalFieldsAndTheKeyFrameBit() {
        // X S | I L T | M+pid 0x1234 | TL0 77 | TID 2, Y | VP8 header P=0 (key frame)
        byte[] b = {(byte) 0x90, (byte) 0xE0, (byte) 0x92, 0x34, 77, (byte) 0xA0, 0x00, 1, 2};
        assertThat(vp8.parse(b, 0, b.length)).isTrue();
        assertThat(vp8.startOfPicture()).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(0x1234);
        assertThat(vp8.longPictureId()).isTrue();
        assertThat(vp8.tl0PicIdx()).isEqualTo(77);
        assertThat(vp8.temporalId()).isEqualTo(2);
        assertThat(vp8.layerSync()).isTrue();
        assertThat(vp8.keyframe()).isTrue();
        assertThat(vp8.length()).isEqualTo(6);
    }

    @Test
    void aDeltaFrameOrAContinuationPacketIsNoKeyFrame() {
        byte[] delta = {(byte) 0x10, 0x01};
        assertThat(vp8.parse(delta, 0, 2)).isTrue();
        assertThat(vp8.keyframe()).isFalse();
        assertThat(vp8.pictureId()).isEqualTo(Vp8Descriptor.ABSENT);
        assertThat(vp8.temporalId()).isEqualTo(Vp8Descriptor.ABSENT);
        byte[] continuation = {(byte) 0x00, 0x00}; // S = 0: the 0 is payload, not a P bit
        assertThat(vp8.parse(continuation, 0, 2)).isTrue();
        assertThat(vp8.keyframe()).isFalse();
        assertThat(vp8.startOfPicture()).isFalse();
    }

    @Test
    void readsASevenBitPictureIdAtAnOffset() {
        byte[] b = {9, 9, (byte) 0x80, (byte) 0x80, 0x05, 0x01};
        assertThat(vp8.parse(b, 2, 4)).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(5);
        assertThat(vp8.longPictureId()).isFalse();
        assertThat(vp8.pictureIdModulus()).isEqualTo(128);
        assertThat(vp8.tl0PicIdx()).isEqualTo(Vp8Descriptor.ABSENT);
    }

    @Test
    void refusesEveryTruncation() {
        byte[] full = {(byte) 0x90, (byte) 0xE0, (byte) 0x92, 0x34, 77, (byte) 0xA0, 0x00};
        for (int len = 0; len < full.length; len++) {
            assertThat(vp8.parse(full, 0, len)).as("length %d", len).isFalse();
        }
        assertThat(vp8.parse(full, 0, full.length)).isTrue();
    }

    @Test
    void rewritesPictureIdAndTl0KeepingTheFieldWidth() {
        byte[] b = {(byte) 0x90, (byte) 0xE0, (byte) 0x92, 0x34, 77, (byte) 0xA0, 0x00};
        vp8.parse(b, 0, b.length);
        vp8.setPictureId(0x7FFF + 3); // wraps to 2 in 15 bits
        vp8.setTl0PicIdx(300);        // wraps to 44 in 8 bits
        assertThat(vp8.parse(b, 0, b.length)).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(2);
        assertThat(vp8.longPictureId()).isTrue();
        assertThat(vp8.tl0PicIdx()).isEqualTo(44);
        assertThat(vp8.temporalId()).isEqualTo(2);

        byte[] s = {(byte) 0x80, (byte) 0x80, 0x05, 0x01};
        vp8.parse(s, 0, s.length);
        vp8.setPictureId(130);
        vp8.parse(s, 0, s.length);
        assertThat(vp8.pictureId()).isEqualTo(2);
        assertThat(vp8.longPictureId()).isFalse();
    }
}
