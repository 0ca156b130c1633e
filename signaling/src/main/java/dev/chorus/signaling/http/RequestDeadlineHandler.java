package dev.chorus.signaling.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence: a complete request must arrive within {@code timeout} of the TLS handshake completing or of
 * the previous response, whatever the client trickles in meanwhile. The same limit closes idle keep-alive connections.
 * Sits after the aggregator, so it sees only complete requests; the dispatcher calls {@link #rearm} after each
 * response. Removed when a connection becomes a WebSocket (which has its own deadlines).
 */
public final class RequestDeadlineHandler extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext ctx;

    public RequestDeadlineHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        // Before the handshake the TLS handshake timeout applies; the request clock starts once TLS is up.
        if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) rearm();
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof FullHttpRequest) cancel();
        super.channelRead(ctx, msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** Starts the clock for the next request. Must run on the channel's event loop. */
    public void rearm() {
        cancel();
        ChannelHandlerContext c = ctx;
        if (c == null) return;
        timer = c.executor().schedule(() -> {
            if (c.channel().isActive()) c.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
