package dev.chorus.signaling.ws;

import dev.chorus.common.rate.TokenBucket;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Frame-level defences, before fragments are joined: a rate limit on every frame (a flood of pings or tiny
 * fragments counts too), a deadline for fragmented messages that never end, binary frames refused, pings
 * answered, a client close echoed. Bounded memory: the aggregator after it caps the message size.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {
    private final WsSettings settings;
    private final TokenBucket bucket;
    private final LongSupplier nanoClock;
    private ScheduledFuture<?> fragmentTimer;
    private boolean closing;

    FrameGuard(WsSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.bucket = new TokenBucket(settings.framesPerSecond(), settings.frameBurst(), nanoClock.getAsLong());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (frame instanceof CloseWebSocketFrame && WsClose.sent(ctx.channel())) {
            // the client's answer to the Close we sent: the close handshake is complete
            ReferenceCountUtil.release(frame);
            ctx.close();
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(frame);
            return;
        }
        if (frame instanceof CloseWebSocketFrame close) {
            closing = true;
            int code = close.statusCode() == -1 ? WsCloseCodes.NORMAL : close.statusCode();
            close.release();
            ctx.fireUserEventTriggered(new ClientClosed(code)); // 1000/1001 is a leave; other codes may resume
            ctx.writeAndFlush(new CloseWebSocketFrame(code, "")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!bucket.tryTake(nanoClock.getAsLong())) {
            frame.release();
            closeWith(ctx, WsCloseCodes.POLICY_VIOLATION, "rate limited", "rate_limited");
            return;
        }
        if (frame instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            return;
        }
        if (frame instanceof PongWebSocketFrame) {
            frame.release();
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            frame.release();
            closeWith(ctx, WsCloseCodes.UNSUPPORTED_DATA, "text messages only", "binary");
            return;
        }
        if (!(frame instanceof ContinuationWebSocketFrame) && !frame.isFinalFragment()) {
            startFragmentTimer(ctx);
        } else if (frame instanceof ContinuationWebSocketFrame && frame.isFinalFragment()) {
            cancelFragmentTimer();
        }
        ctx.fireChannelRead(frame);
    }

    private void startFragmentTimer(ChannelHandlerContext ctx) {
        cancelFragmentTimer();
        fragmentTimer = ctx.executor().schedule(
                () -> closeWith(ctx, WsCloseCodes.POLICY_VIOLATION, "incomplete message", "incomplete_message"),
                settings.fragmentTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancelFragmentTimer() {
        if (fragmentTimer != null) {
            fragmentTimer.cancel(false);
            fragmentTimer = null;
        }
    }

    /** Stops passing frames on and asks the session handler to close (it audits and counts once). */
    void closeWith(ChannelHandlerContext ctx, int code, String reason, String reasonCode) {
        if (closing) return;
        closing = true;
        cancelFragmentTimer();
        ctx.fireUserEventTriggered(new PolicyViolation(code, reason, reasonCode));
    }

    /** A frame-level policy violation, handled by {@link WsSessionHandler}. */
    record PolicyViolation(int code, String reason, String reasonCode) {}

    /** The client sent a close frame with {@code code}. */
    record ClientClosed(int code) {}

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelFragmentTimer();
        super.channelInactive(ctx);
    }
}
