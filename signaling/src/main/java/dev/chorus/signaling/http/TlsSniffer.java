package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Looks at the first byte of a connection on the TLS port. A TLS handshake record (content type 22) gets the
 * TLS handler; a plain-text HTTP request (http:// or ws://) gets a short JSON 400 saying to use https, and the
 * connection is closed. Anything else is closed silently. Nothing is parsed from a plain-text client.
 */
public final class TlsSniffer extends ByteToMessageDecoder {
    static final byte TLS_HANDSHAKE = 22;
    private static final byte[] PLAIN_REFUSAL = ("HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: application/json; charset=utf-8\r\n"
            + "Connection: close\r\n"
            + "Content-Length: 96\r\n\r\n"
            + "{\"error\":{\"code\":\"tls_required\",\"message\":\"This port speaks TLS only: use https:// or wss://.\"}}")
            .getBytes(StandardCharsets.US_ASCII);

    private final SslContext sslContext;
    private final Duration handshakeTimeout;
    private final ChorusMetrics metrics;

    public TlsSniffer(SslContext sslContext, Duration handshakeTimeout, ChorusMetrics metrics) {
        this.sslContext = sslContext;
        this.handshakeTimeout = handshakeTimeout;
        this.metrics = metrics;
    }

    private ScheduledFuture<?> firstByteTimer;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // A client that connects and sends nothing is closed once the handshake time is used up.
        firstByteTimer = ctx.executor().schedule(() -> {
            metrics.connectionRefused("no_handshake");
            ctx.close();
        }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (firstByteTimer != null) firstByteTimer.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) return;
        byte first = in.getByte(in.readerIndex());
        if (first == TLS_HANDSHAKE) {
            SslHandler ssl = sslContext.newHandler(ctx.alloc());
            ssl.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
            ctx.pipeline().replace(this, "tls", ssl);
            return; // ByteToMessageDecoder hands the buffered bytes to the TLS handler
        }
        in.skipBytes(in.readableBytes());
        if (first >= 'A' && first <= 'Z') {
            metrics.connectionRefused("plain_http");
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_REFUSAL)).addListener(ChannelFutureListener.CLOSE);
        } else {
            metrics.connectionRefused("not_tls");
            ctx.close();
        }
    }
}
