package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * First handler of every accepted connection: enforces the per-source cap on concurrent TCP connections.
 * A connection over the cap is closed before a single byte is read (no TLS handshake is spent on it).
 */
@ChannelHandler.Sharable
public final class ConnectionCapHandler extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<String> KEY = AttributeKey.valueOf("chorus.capKey");
    private final PerSourceCounter counter;
    private final ChorusMetrics metrics;

    public ConnectionCapHandler(int maxPerSource, ChorusMetrics metrics) {
        this.counter = new PerSourceCounter(maxPerSource);
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        String key = SourceAddress.limitKey(ctx.channel().remoteAddress());
        if (!counter.tryAcquire(key)) {
            metrics.connectionRefused("per_ip_cap");
            ctx.close();
            return;
        }
        ctx.channel().attr(KEY).set(key);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        String key = ctx.channel().attr(KEY).getAndSet(null);
        if (key != null) counter.release(key);
        super.channelInactive(ctx);
    }

    public int connections(String key) {
        return counter.count(key);
    }
}
