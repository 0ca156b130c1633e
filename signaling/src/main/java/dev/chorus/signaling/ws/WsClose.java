package dev.chorus.signaling.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;

import java.util.concurrent.TimeUnit;

/**
 * A close the server starts (RFC 6455 §7.1.1): send the Close frame with its code, then keep reading (the frame guard
 * discards what arrives) until the client answers with its own Close, closes the connection, or {@link #LINGER_MILLIS}
 * pass. Closing the socket right after the frame would reset a client that is still sending (a flood, a burst before a
 * revocation): the reset throws away the Close frame and the client sees an abnormal closure instead of the code.
 */
final class WsClose {
    static final long LINGER_MILLIS = 1_000;
    /** Set once this side sent its Close frame: the client's Close is then the answer, not a new close. */
    static final AttributeKey<Boolean> SENT = AttributeKey.valueOf("chorus.ws.closeSent");

    private WsClose() {}

    /** Call on the channel's event loop. */
    static void send(Channel channel, int code, String reason) {
        if (Boolean.TRUE.equals(channel.attr(SENT).get())) return;
        channel.attr(SENT).set(Boolean.TRUE);
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close();
                return;
            }
            f.channel().eventLoop().schedule(() -> { f.channel().close(); }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Whether the server already sent its Close frame on this channel. */
    static boolean sent(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(SENT).get());
    }
}
