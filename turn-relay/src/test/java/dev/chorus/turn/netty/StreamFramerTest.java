package dev.chorus.turn.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** TURN over TCP/TLS framing (RFC 8656 §12.5). */
class StreamFramerTest {
    @Test
    void splitsStunAndPaddedChannelDataAcrossArbitraryChunks() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer());
        ByteBuf stream = Unpooled.buffer();
        stream.writeShort(0x0001).writeShort(4).writeInt(0x2112A442).writeZero(12).writeInt(0xCAFEBABE);  // 24-byte STUN
        stream.writeShort(0x4001).writeShort(5).writeBytes(new byte[] {1, 2, 3, 4, 5}).writeZero(3);       // 12-byte frame
        stream.writeShort(0x4002).writeShort(0);                                                          // empty frame
        while (stream.isReadable()) ch.writeInbound(stream.readRetainedSlice(Math.min(3, stream.readableBytes())));
        stream.release();
        ByteBuf a = ch.readInbound();
        ByteBuf b = ch.readInbound();
        ByteBuf c = ch.readInbound();
        assertThat(a.readableBytes()).isEqualTo(24);
        assertThat(b.readableBytes()).isEqualTo(12);
        assertThat(b.getUnsignedShort(2)).isEqualTo(5);
        assertThat(c.readableBytes()).isEqualTo(4);
        assertThat(ch.<Object>readInbound()).isNull();
        a.release();
        b.release();
        c.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anythingElseClosesTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0, 0, 1, 2, 3}));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.<Object>readInbound()).isNull();
    }
}
