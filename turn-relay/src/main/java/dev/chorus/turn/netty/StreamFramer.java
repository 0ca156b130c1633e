package dev.chorus.turn.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TURN-over-TCP/TLS byte stream into messages (RFC 8656 §12.5): a STUN message is 20 bytes plus its
 * length field; a ChannelData frame is 4 bytes plus its length rounded up to 4. Anything else is not TURN: the
 * connection is closed (there is no way to resynchronise a stream).
 */
final class StreamFramer extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int ri = in.readerIndex();
            int kind = in.getUnsignedByte(ri) & 0xC0;
            int len = in.getUnsignedShort(ri + 2);
            int total;
            if (kind == 0) {
                total = 20 + len;
            } else if (kind == 0x40) {
                total = 4 + ((len + 3) & ~3);
            } else {
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < total) return;
            out.add(in.readRetainedSlice(total));
        }
    }
}
