package dev.chorus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** RFC 5769 test vectors: our parser, integrity check and writer must agree with the RFC byte for byte. */
class StunRfc5769Test {
    private static final StunKey SHORT = StunKey.shortTerm(Rfc5769Vectors.SHORT_TERM_PASSWORD);

    @Test
    void sampleRequestParsesAndVerifies() {
        StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(Rfc5769Vectors.request()));
        assertThat(m.status()).isEqualTo(StunParseStatus.OK);
        assertThat(m.messageType()).isEqualTo(StunMessageType.BINDING_REQUEST);
        assertThat(m.method()).isEqualTo(StunMessageType.METHOD_BINDING);
        assertThat(m.messageClass()).isEqualTo(StunMessageType.CLASS_REQUEST);
        assertThat(m.attributeCount()).isEqualTo(6);
        assertThat(m.string(m.indexOf(StunAttributes.SOFTWARE))).isEqualTo("STUN test client");
        assertThat(m.string(m.indexOf(StunAttributes.USERNAME))).isEqualTo("evtj:h6vY");
        assertThat(m.uint32(m.indexOf(StunAttributes.PRIORITY))).isEqualTo(0x6e0001ffL);
        assertThat(m.uint64(m.indexOf(StunAttributes.ICE_CONTROLLED))).isEqualTo(0x932ff9b151263b36L);
        assertThat(StunIntegrity.verifyMessageIntegrity(m, SHORT)).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();
        assertThat(StunIntegrity.verifyMessageIntegrity(m, StunKey.shortTerm("wrong"))).isFalse();
    }

    @Test
    void ipv4ResponseParsesVerifiesAndIsReproducedByTheWriter() {
        byte[] vector = Rfc5769Vectors.ipv4Response();
        StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(vector));
        assertThat(m.status()).isEqualTo(StunParseStatus.OK);
        assertThat(m.messageType()).isEqualTo(StunMessageType.BINDING_SUCCESS);
        InetSocketAddress mapped = m.xorAddress(m.indexOf(StunAttributes.XOR_MAPPED_ADDRESS));
        assertThat(mapped).isEqualTo(new InetSocketAddress("192.0.2.1", 32853));
        assertThat(m.xorPort(m.indexOf(StunAttributes.XOR_MAPPED_ADDRESS))).isEqualTo(32853);
        assertThat(m.xorIPv4(m.indexOf(StunAttributes.XOR_MAPPED_ADDRESS))).isEqualTo(0xC0000201);
        assertThat(StunIntegrity.verifyMessageIntegrity(m, SHORT)).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();

        // The vector pads SOFTWARE with a space; our writer pads with zero, so patch that byte before the MAC.
        ByteBuf out2 = Unpooled.buffer();
        StunWriter w2 = new StunWriter().begin(out2, StunMessageType.BINDING_SUCCESS, m.transactionId())
                .add(StunAttributes.SOFTWARE, "test vector".getBytes());
        out2.setByte(out2.writerIndex() - 1, ' ');
        w2.addXorMappedAddress(mapped).addMessageIntegrity(SHORT).addFingerprint();
        assertThat(bytes(out2)).isEqualTo(vector);
        out2.release();
    }

    @Test
    void ipv6ResponseParsesVerifiesAndIsReproducedByTheWriter() throws Exception {
        byte[] vector = Rfc5769Vectors.ipv6Response();
        StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(vector));
        assertThat(m.status()).isEqualTo(StunParseStatus.OK);
        InetSocketAddress mapped = m.xorAddress(m.indexOf(StunAttributes.XOR_MAPPED_ADDRESS));
        assertThat(mapped).isEqualTo(new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        assertThat(StunIntegrity.verifyMessageIntegrity(m, SHORT)).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();

        ByteBuf out = Unpooled.buffer();
        StunWriter w = new StunWriter().begin(out, StunMessageType.BINDING_SUCCESS, m.transactionId())
                .add(StunAttributes.SOFTWARE, "test vector".getBytes());
        out.setByte(out.writerIndex() - 1, ' ');
        w.addXorMappedAddress(mapped).addMessageIntegrity(SHORT).addFingerprint();
        assertThat(bytes(out)).isEqualTo(vector);
        out.release();
    }

    @Test
    void longTermRequestVerifiesWithMd5Key() {
        byte[] vector = Rfc5769Vectors.longTermRequest();
        StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(vector));
        assertThat(m.status()).isEqualTo(StunParseStatus.OK);
        assertThat(m.string(m.indexOf(StunAttributes.USERNAME))).isEqualTo(Rfc5769Vectors.LONG_TERM_USERNAME);
        assertThat(m.string(m.indexOf(StunAttributes.REALM))).isEqualTo(Rfc5769Vectors.LONG_TERM_REALM);
        assertThat(m.string(m.indexOf(StunAttributes.NONCE))).isEqualTo(Rfc5769Vectors.LONG_TERM_NONCE);
        assertThat(m.fingerprintIndex()).isEqualTo(-1);
        StunKey key = StunKey.longTermMd5(Rfc5769Vectors.LONG_TERM_USERNAME, Rfc5769Vectors.LONG_TERM_REALM,
                Rfc5769Vectors.LONG_TERM_PASSWORD);
        assertThat(StunIntegrity.verifyMessageIntegrity(m, key)).isTrue();
        assertThat(StunIntegrity.verifyMessageIntegrity(m, SHORT)).isFalse();

        ByteBuf out = Unpooled.buffer();
        new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, m.transactionId())
                .addUsername(Rfc5769Vectors.LONG_TERM_USERNAME)
                .addNonce(Rfc5769Vectors.LONG_TERM_NONCE)
                .addRealm(Rfc5769Vectors.LONG_TERM_REALM)
                .addMessageIntegrity(key);
        assertThat(bytes(out)).isEqualTo(vector);
        out.release();
    }

    static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), a);
        return a;
    }
}
