package dev.chorus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SECURITY-CHECKLIST case 30: malformed STUN (length past the end, misaligned, thousands of attributes, truncated
 * header, bad cookie) yields a parse failure with a reason; no exception escapes, nothing is indexed.
 */
class StunMalformedTest {
    private final StunMessage view = new StunMessage();

    private StunParseStatus parse(byte[] b) {
        return view.wrap(Unpooled.wrappedBuffer(b));
    }

    private static byte[] header(int type, int length) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(type).writeShort(length).writeInt(StunMessage.MAGIC_COOKIE).writeZero(12);
        return StunRfc5769Test.bytes(b);
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] r = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }

    @Test
    void truncatedHeader() {
        for (int n = 0; n < 20; n++) {
            assertThat(parse(Arrays.copyOf(Rfc5769Vectors.request(), n))).isEqualTo(StunParseStatus.TRUNCATED_HEADER);
            assertThat(view.attributeCount()).isZero();
        }
    }

    @Test
    void notStunFirstBits() {
        byte[] b = Rfc5769Vectors.request();
        b[0] = (byte) 0x80; // RTP-ish
        assertThat(parse(b)).isEqualTo(StunParseStatus.NOT_STUN);
        b[0] = (byte) 0x40;
        assertThat(parse(b)).isEqualTo(StunParseStatus.NOT_STUN);
    }

    @Test
    void badCookie() {
        byte[] b = Rfc5769Vectors.request();
        b[5] ^= 1;
        assertThat(parse(b)).isEqualTo(StunParseStatus.BAD_MAGIC_COOKIE);
    }

    @Test
    void misalignedLength() {
        byte[] b = Rfc5769Vectors.request();
        b[3] = 0x57;
        assertThat(parse(b)).isEqualTo(StunParseStatus.MISALIGNED_LENGTH);
    }

    @Test
    void lengthPastEndOrShorterThanDatagram() {
        byte[] b = Rfc5769Vectors.request();
        b[3] = 0x5c; // claims 4 more bytes than present
        assertThat(parse(b)).isEqualTo(StunParseStatus.LENGTH_MISMATCH);
        b[3] = 0x54; // claims fewer: trailing garbage
        assertThat(parse(b)).isEqualTo(StunParseStatus.LENGTH_MISMATCH);
        b[2] = (byte) 0xff;
        b[3] = (byte) 0xfc;
        assertThat(parse(b)).isEqualTo(StunParseStatus.LENGTH_MISMATCH);
    }

    @Test
    void attributeLengthPastEnd() {
        // SOFTWARE claims 0x10 bytes but only 4 follow.
        byte[] b = concat(header(0x0001, 8), new byte[] {(byte) 0x80, 0x22, 0x00, 0x10, 'a', 'b', 'c', 'd'});
        assertThat(parse(b)).isEqualTo(StunParseStatus.ATTRIBUTE_PAST_END);
        // Padding past end: value 5 bytes needs 8 with padding, only 5..7 present is impossible since the message
        // length is a multiple of 4; a 5-byte value with 4 bytes following is past the end.
        byte[] c = concat(header(0x0001, 8), new byte[] {(byte) 0x80, 0x22, 0x00, 0x05, 'a', 'b', 'c', 'd'});
        assertThat(parse(c)).isEqualTo(StunParseStatus.ATTRIBUTE_PAST_END);
        // Huge attribute length.
        byte[] d = concat(header(0x0001, 8), new byte[] {(byte) 0x80, 0x22, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0});
        assertThat(parse(d)).isEqualTo(StunParseStatus.ATTRIBUTE_PAST_END);
    }

    @Test
    void wrongFixedLengths() {
        // MESSAGE-INTEGRITY of 16 bytes, FINGERPRINT of 8, PRIORITY of 8, XOR-MAPPED-ADDRESS of 12.
        int[][] cases = {{0x0008, 16}, {0x8028, 8}, {0x0024, 8}, {0x0020, 12}, {0x8029, 4}, {0x0025, 4},
                {0x001C, 12}, {0x001C, 36}, {0x0009, 2}, {0x0006, 516}};
        for (int[] c : cases) {
            ByteBuf b = Unpooled.buffer();
            int padded = (c[1] + 3) & ~3;
            b.writeShort(1).writeShort(4 + padded).writeInt(StunMessage.MAGIC_COOKIE).writeZero(12);
            b.writeShort(c[0]).writeShort(c[1]).writeZero(padded);
            assertThat(view.wrap(b)).as("type 0x%04x len %d", c[0], c[1])
                    .isEqualTo(StunParseStatus.BAD_ATTRIBUTE_LENGTH);
        }
    }

    @Test
    void thousandsOfAttributesAreRefusedAtTheCap() {
        ByteBuf b = Unpooled.buffer();
        int n = 5000;
        b.writeShort(1).writeShort(4 * n).writeInt(StunMessage.MAGIC_COOKIE).writeZero(12);
        for (int i = 0; i < n; i++) {
            b.writeShort(0x8022).writeShort(0);
        }
        assertThat(view.wrap(b)).isEqualTo(StunParseStatus.TOO_MANY_ATTRIBUTES);
        assertThat(view.attributeCount()).isZero();
    }

    @Test
    void messageLargerThanCap() {
        StunMessage small = new StunMessage(100, 8);
        ByteBuf b = Unpooled.buffer();
        b.writeShort(1).writeShort(104).writeInt(StunMessage.MAGIC_COOKIE).writeZero(12);
        b.writeShort(0x8022).writeShort(100).writeZero(100);
        assertThat(small.wrap(b)).isEqualTo(StunParseStatus.TOO_LARGE);
    }

    @Test
    void attributeAfterFingerprintIsRefused() {
        byte[] b = concat(header(0x0001, 16), new byte[] {(byte) 0x80, 0x28, 0, 4, 0, 0, 0, 0,
                (byte) 0x80, 0x22, 0, 4, 'a', 'b', 'c', 'd'});
        assertThat(parse(b)).isEqualTo(StunParseStatus.BAD_ATTRIBUTE_ORDER);
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnored() {
        ByteBuf out = Unpooled.buffer();
        StunKey key = StunKey.shortTerm("pass");
        new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, new byte[12]).addUsername("a:b")
                .addMessageIntegrity(key);
        // Append a PRIORITY after MESSAGE-INTEGRITY by hand (a writer refuses to).
        out.writeShort(StunAttributes.PRIORITY).writeShort(4).writeInt(7);
        out.setShort(2, out.readableBytes() - 20);
        assertThat(view.wrap(out)).isEqualTo(StunParseStatus.OK);
        assertThat(view.has(StunAttributes.PRIORITY)).isFalse();
        // Integrity still covers only what precedes it.
        assertThat(StunIntegrity.verifyMessageIntegrity(view, key)).isTrue();
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom rnd = new SplittableRandom(42);
        StunKey key = StunKey.shortTerm("x");
        byte[] base = Rfc5769Vectors.request();
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[rnd.nextInt(0, 200)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) rnd.nextInt(256);
                }
                if (b.length >= 8) { // make many of them pass the header checks
                    b[0] &= 0x3f;
                    b[4] = 0x21; b[5] = 0x12; b[6] = (byte) 0xa4; b[7] = 0x42;
                    int len = (b.length - 20) & ~3;
                    if (len >= 0 && rnd.nextBoolean()) {
                        b = Arrays.copyOf(b, 20 + len);
                        b[2] = (byte) (len >> 8);
                        b[3] = (byte) len;
                    }
                }
            } else {
                b = base.clone();
                for (int k = 0; k < 3; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            StunParseStatus st = parse(b);
            if (st == StunParseStatus.OK) {
                // Every accessor on an OK view stays in bounds.
                for (int a = 0; a < view.attributeCount(); a++) {
                    view.bytes(a);
                    view.xorAddress(a);
                }
                StunIntegrity.verifyMessageIntegrity(view, key);
                StunIntegrity.verifyMessageIntegritySha256(view, key);
                StunIntegrity.verifyFingerprint(view);
            } else {
                assertThat(view.attributeCount()).isZero();
            }
        }
    }

    @Test
    void tamperedVectorsFailIntegrityAndFingerprint() {
        StunKey key = StunKey.shortTerm(Rfc5769Vectors.SHORT_TERM_PASSWORD);
        byte[] b = Rfc5769Vectors.request();
        b[30] ^= 1; // inside SOFTWARE
        assertThat(parse(b)).isEqualTo(StunParseStatus.OK);
        assertThat(StunIntegrity.verifyMessageIntegrity(view, key)).isFalse();
        assertThat(StunIntegrity.verifyFingerprint(view)).isFalse();
        byte[] c = Rfc5769Vectors.request();
        c[c.length - 1] ^= 1; // fingerprint value only
        parse(c);
        assertThat(StunIntegrity.verifyMessageIntegrity(view, key)).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(view)).isFalse();
    }
}
