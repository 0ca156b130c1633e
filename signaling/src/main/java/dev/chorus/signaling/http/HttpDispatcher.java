package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.store.StoreException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Turns complete requests into route-handler calls. Handlers run on virtual threads (they may touch the store);
 * reading pauses while a request is in flight, so responses stay in order and one connection costs one handler.
 * Never logs a URI or a body: either may carry a token.
 */
public final class HttpDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

    private final Router router;
    private final WebSocketEndpoint ws;
    private final ExecutorService blocking;
    private final Semaphore inFlight;
    private final ChorusMetrics metrics;
    private final long hstsMaxAge;

    public HttpDispatcher(Router router, WebSocketEndpoint ws, ExecutorService blocking, Semaphore inFlight,
                          ChorusMetrics metrics, long hstsMaxAge) {
        this.router = router;
        this.ws = ws;
        this.blocking = blocking;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.hstsMaxAge = hstsMaxAge;
    }

    /** Pipelined requests that arrived while one was in flight; answered in order (bounded). */
    private final java.util.ArrayDeque<FullHttpRequest> pending = new java.util.ArrayDeque<>();
    private static final int MAX_PIPELINED = 8;
    private boolean busy;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (busy) {
            if (pending.size() >= MAX_PIPELINED) {
                ctx.close();
                return;
            }
            pending.add(req.retain());
            return;
        }
        handle(ctx, req);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        long t0 = System.nanoTime();
        String method = req.method().name();
        DecoderResult dr = req.decoderResult();
        if (!dr.isSuccess()) {
            Throwable c = dr.cause();
            HttpResult r = c instanceof TooLongHttpHeaderException
                    ? HttpResult.error(431, "headers_too_large", "Request headers are too large.")
                    : c instanceof TooLongHttpLineException
                    ? HttpResult.error(414, "uri_too_long", "Request line is too long.")
                    : HttpResult.error(400, "bad_request", "Malformed HTTP request.");
            write(ctx, r, false, "invalid", "INVALID", t0);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        QueryStringDecoder qs;
        try {
            qs = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 32);
        } catch (IllegalArgumentException e) {
            write(ctx, HttpResult.error(400, "bad_request", "Malformed request URI."), false, "invalid", method, t0);
            return;
        }
        String path = qs.rawPath();
        String sourceIp = SourceAddress.ip(ctx.channel().remoteAddress());

        if (ws != null && path.equals(ws.path())) {
            boolean upgrade = "GET".equals(method)
                    && req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                    && req.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
            if (upgrade) {
                int status = ws.upgrade(ctx, req, sourceIp, SourceAddress.limitKey(ctx.channel().remoteAddress()));
                metrics.httpRequest(ws.path(), method, status, System.nanoTime() - t0);
                return;
            }
            write(ctx, HttpResult.error(426, "upgrade_required", "This endpoint speaks WebSocket only.")
                    .withHeader("Upgrade", "websocket"), keepAlive, ws.path(), method, t0);
            return;
        }

        Router.Match m = router.match(method, path);
        if (!m.found()) {
            HttpResult r = m.methodNotAllowed()
                    ? HttpResult.error(405, "method_not_allowed", "Method not allowed on this resource.")
                    : HttpResult.error(404, "not_found", "No such resource.");
            write(ctx, r, keepAlive, "unmatched", method, t0);
            return;
        }
        if (!inFlight.tryAcquire()) {
            write(ctx, HttpResult.error(503, "overloaded", "Server is busy; retry shortly.")
                    .withHeader("Retry-After", "1"), false, m.template(), method, t0);
            return;
        }
        HttpRequestContext rc = new HttpRequestContext(method, m.template(), path, m.params(), qs.parameters(),
                req.headers().copy(), ByteBufUtil.getBytes(req.content()), sourceIp);
        ctx.channel().config().setAutoRead(false);
        busy = true;
        try {
            blocking.execute(() -> {
                HttpResult r;
                try {
                    r = m.handler().handle(rc);
                } catch (ApiError e) {
                    r = HttpResult.error(e);
                } catch (StoreException.Unavailable e) {
                    r = HttpResult.error(503, "store_unavailable",
                            "The database is unreachable; retry shortly.");
                } catch (RuntimeException e) {
                    // Class name only: exception messages may quote request data.
                    log.warn("event=http_handler_failed route={} error={}", m.template(), e.getClass().getName());
                    r = HttpResult.error(500, "internal_error", "Internal error.");
                } finally {
                    inFlight.release();
                }
                HttpResult result = r;
                ctx.executor().execute(() -> write(ctx, result, keepAlive, m.template(), method, t0));
            });
        } catch (RejectedExecutionException e) {
            inFlight.release();
            busy = false;
            write(ctx, HttpResult.error(503, "shutting_down", "Server is shutting down."), false, m.template(), method, t0);
        }
    }

    private void write(ChannelHandlerContext ctx, HttpResult r, boolean keepAlive, String route, String method, long t0) {
        long nanos = System.nanoTime() - t0;
        metrics.httpRequest(route, method, r.status(), nanos);
        if (log.isDebugEnabled()) {
            // route template only: the raw path or query may carry identifiers or tokens
            log.debug("event=http_request method={} route={} status={} micros={} ip={}", method, route, r.status(),
                    nanos / 1000, SourceAddress.ip(ctx.channel().remoteAddress()));
        }
        if (!ctx.channel().isActive()) return;
        FullHttpResponse resp = toResponse(r, keepAlive, hstsMaxAge);
        if (keepAlive) {
            ctx.writeAndFlush(resp);
            RequestDeadlineHandler d = ctx.pipeline().get(RequestDeadlineHandler.class);
            if (d != null) d.rearm();
            busy = false;
            FullHttpRequest next = pending.poll();
            if (next != null) {
                try {
                    handle(ctx, next);
                } finally {
                    next.release();
                }
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        } else {
            busy = false;
            releasePending();
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public static FullHttpResponse toResponse(HttpResult r, boolean keepAlive, long hstsMaxAge) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        var h = resp.headers();
        if (r.contentType() != null) h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        if (hstsMaxAge > 0) h.set("Strict-Transport-Security", "max-age=" + hstsMaxAge);
        for (Map.Entry<String, String> e : r.headers().entrySet()) h.set(e.getKey(), e.getValue());
        h.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return resp;
    }

    private void releasePending() {
        for (FullHttpRequest r; (r = pending.poll()) != null; ) r.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePending();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS failures (wrong version, weak suites) and resets are routine on a public port: count, never log data.
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            metrics.connectionRefused("tls_handshake_failed");
        }
        ctx.close();
    }
}
