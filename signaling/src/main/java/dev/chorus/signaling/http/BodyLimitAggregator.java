package dev.chorus.signaling.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.ReferenceCountUtil;

/**
 * The standard aggregator, but an oversized body is answered with the JSON error body (413 body_too_large)
 * and the connection closed, so the rest of the body is never read into memory.
 */
public final class BodyLimitAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;

    public BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ReferenceCountUtil.release(oversized);
        HttpResult r = HttpResult.error(413, "body_too_large",
                "Request body is larger than the limit of " + maxBodyBytes + " bytes.");
        ctx.writeAndFlush(HttpDispatcher.toResponse(r, false, 0)).addListener(ChannelFutureListener.CLOSE);
    }
}
