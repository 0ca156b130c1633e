package dev.chorus.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The writer's helpers round-trip through the parser, including the TURN attributes. */
class StunWriterTest {
    private static final byte[] TXID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    @Test
    void messageTypeEncoding() {
        assertThat(StunMessageType.BINDING_REQUEST).isEqualTo(0x0001);
        assertThat(StunMessageType.BINDING_SUCCESS).isEqualTo(0x0101);
        assertThat(StunMessageType.BINDING_ERROR).isEqualTo(0x0111);
        assertThat(StunMessageType.BINDING_INDICATION).isEqualTo(0x0011);
        assertThat(StunMessageType.type(StunMessageType.METHOD_ALLOCATE, StunMessageType.CLASS_REQUEST)).isEqualTo(0x0003);
        assertThat(StunMessageType.type(StunMessageType.METHOD_SEND, StunMessageType.CLASS_INDICATION)).isEqualTo(0x0016);
        assertThat(StunMessageType.type(StunMessageType.METHOD_DATA, StunMessageType.CLASS_INDICATION)).isEqualTo(0x0017);
        for (int m = 0; m <= 0xFFF; m++) {
            for (int c = 0; c < 4; c++) {
                int t = StunMessageType.type(m, c);
                assertThat(StunMessageType.method(t)).isEqualTo(m);
                assertThat(StunMessageType.messageClass(t)).isEqualTo(c);
            }
        }
    }

    @Test
    void turnAttributesRoundTrip() {
        ByteBuf out = Unpooled.buffer();
        StunKey key = StunKey.longTermSha256("user", "realm", "pw");
        InetSocketAddress v4 = new InetSocketAddress("203.0.113.9", 40000);
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::1", 3478);
        new StunWriter().begin(out, StunMessageType.type(StunMessageType.METHOD_ALLOCATE, StunMessageType.CLASS_ERROR), TXID)
                .addErrorCode(401, "Unauthorized")
                .addRealm("realm").addNonce("nonce123").addSoftware("chorus")
                .addPasswordAlgorithms(StunAttributes.PASSWORD_ALGORITHM_MD5, StunAttributes.PASSWORD_ALGORITHM_SHA256)
                .addRequestedTransport(StunAttributes.TRANSPORT_UDP)
                .addLifetime(600).addChannelNumber(0x4001)
                .addXorPeerAddress(v4).addXorPeerAddress(v6).addXorRelayedAddress(v6)
                .addData(Unpooled.wrappedBuffer(new byte[] {9, 8, 7}))
                .addUnknownAttributes(0x0031, 0x0032, 0x0033)
                .addMessageIntegrity(key).addMessageIntegritySha256(key).addFingerprint();
        StunMessage m = StunMessage.parse(out);
        assertThat(m.status()).isEqualTo(StunParseStatus.OK);
        int ec = m.indexOf(StunAttributes.ERROR_CODE);
        assertThat(m.errorCode(ec)).isEqualTo(401);
        assertThat(m.errorReason(ec)).isEqualTo("Unauthorized");
        assertThat(m.string(m.indexOf(StunAttributes.NONCE))).isEqualTo("nonce123");
        assertThat(m.bytes(m.indexOf(StunAttributes.PASSWORD_ALGORITHMS))).containsExactly(0, 1, 0, 0, 0, 2, 0, 0);
        assertThat(m.firstByte(m.indexOf(StunAttributes.REQUESTED_TRANSPORT))).isEqualTo(17);
        assertThat(m.uint32(m.indexOf(StunAttributes.LIFETIME))).isEqualTo(600);
        assertThat(m.uint32(m.indexOf(StunAttributes.CHANNEL_NUMBER)) >>> 16).isEqualTo(0x4001);
        int p1 = m.indexOf(StunAttributes.XOR_PEER_ADDRESS);
        int p2 = m.indexOf(StunAttributes.XOR_PEER_ADDRESS, p1);
        assertThat(m.xorAddress(p1)).isEqualTo(v4);
        assertThat(m.xorAddress(p2)).isEqualTo(v6);
        assertThat(m.xorAddress(m.indexOf(StunAttributes.XOR_RELAYED_ADDRESS))).isEqualTo(v6);
        assertThat(m.bytes(m.indexOf(StunAttributes.DATA))).containsExactly(9, 8, 7);
        assertThat(m.bytes(m.indexOf(StunAttributes.UNKNOWN_ATTRIBUTES))).containsExactly(0, 0x31, 0, 0x32, 0, 0x33);
        assertThat(StunIntegrity.verifyMessageIntegrity(m, key)).isTrue();
        assertThat(StunIntegrity.verifyMessageIntegritySha256(m, key)).isTrue();
        assertThat(StunIntegrity.verifyMessageIntegritySha256(m, StunKey.longTermSha256("user", "realm", "px"))).isFalse();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();
        out.release();
    }

    @Test
    void iceAttributesRoundTripOnDirectBuffer() {
        ByteBuf out = Unpooled.directBuffer(256);
        StunKey key = StunKey.shortTerm("abcdefghijklmnopqrstuvwxyz");
        new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, TXID)
                .addUsername("ufrA:ufrB").addPriority(0xFFFFFFFFL).addIceControlling(-5L).addUseCandidate()
                .addMessageIntegrity(key).addFingerprint();
        StunMessage m = new StunMessage(1500, 16);
        assertThat(m.wrap(out)).isEqualTo(StunParseStatus.OK);
        assertThat(m.uint32(m.indexOf(StunAttributes.PRIORITY))).isEqualTo(0xFFFFFFFFL);
        assertThat(m.uint64(m.indexOf(StunAttributes.ICE_CONTROLLING))).isEqualTo(-5L);
        assertThat(m.has(StunAttributes.USE_CANDIDATE)).isTrue();
        assertThat(m.indexOfByte(m.indexOf(StunAttributes.USERNAME), (byte) ':')).isEqualTo(4);
        assertThat(StunIntegrity.verifyMessageIntegrity(m, key)).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();
        assertThat(m.transactionIdEquals(TXID)).isTrue();
        out.release();
    }

    @Test
    void writerRefusesAttributesAfterIntegrity() {
        ByteBuf out = Unpooled.buffer();
        StunWriter w = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, TXID)
                .addMessageIntegrity(StunKey.shortTerm("k"));
        assertThatThrownBy(() -> w.addPriority(1)).isInstanceOf(IllegalStateException.class);
        w.addFingerprint();
        assertThatThrownBy(w::addFingerprint).isInstanceOf(IllegalStateException.class);
        out.release();
    }

    @Test
    void keysNeverPrintTheirSecret() {
        assertThat(StunKey.shortTerm("supersecretpassword").toString()).doesNotContain("supersecret");
    }

    @Test
    void unknownComprehensionRequiredAttributesAreListedForA420() {
        ByteBuf out = Unpooled.buffer();
        new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, TXID)
                .add(0x0031, new byte[] {1}).add(0x0031, new byte[] {2}).add(0xC057, new byte[4]).add(0x7FFF, new byte[0])
                .addUsername("a:b").addFingerprint();
        StunMessage m = StunMessage.parse(out);
        int[] unknown = new int[8];
        int n = m.unknownComprehensionRequired(t -> t == StunAttributes.USERNAME, unknown);
        assertThat(java.util.Arrays.copyOf(unknown, n)).containsExactly(0x0031, 0x7FFF);
        out.release();
    }
}
