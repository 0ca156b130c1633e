package dev.chorus.signaling.ws;

import dev.chorus.signaling.store.StoreAvailability;
import dev.chorus.signaling.http.HttpDispatcher;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.PerSourceCounter;
import dev.chorus.signaling.http.WebSocketEndpoint;
import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import dev.chorus.signaling.http.OriginPolicy;
import java.util.Base64;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * {@code /v1/ws}: checks the per-source session cap, performs the WebSocket handshake (no extensions, no
 * subprotocols, bounded frames) and installs the frame guard, the message aggregator and the session handler.
 * The upgrade itself carries no credentials: the join message does, within {@link WsSettings#joinTimeout()}.
 */
public final class WsEndpoint implements WebSocketEndpoint {
    private final WsSettings settings;
    private final JoinGate gate;
    private final WsAudit audit;
    private final ParticipantRegistry registry;
    private final SignalingProtocol protocol;
    private final ChorusMetrics metrics;
    private final Executor blocking;
    private final Clock clock;
    private final PerSourceCounter perSource;
    private volatile StoreAvailability storeAvailability;
    private final WebSocketDecoderConfig decoderConfig;
    private final SessionLifecycle lifecycle;
    /** This node's resume credentials and parked sessions (in memory: a restart forgets them). */
    private final ResumeCredentials resumable;
    private volatile OriginPolicy origins = OriginPolicy.sameOrigin();
    /** Set when the server drains before shutting down: new sessions are refused at the upgrade. */
    private volatile boolean draining;

    public WsEndpoint(WsSettings settings, JoinGate gate, WsAudit audit, ParticipantRegistry registry,
                      SignalingProtocol protocol, ChorusMetrics metrics, Executor blocking, Clock clock) {
        this(settings, gate, audit, registry, protocol, metrics, blocking, clock, SessionLifecycle.NONE);
    }

    /** @param lifecycle what starts and ends with a session (the call layer) */
    public WsEndpoint(WsSettings settings, JoinGate gate, WsAudit audit, ParticipantRegistry registry,
                      SignalingProtocol protocol, ChorusMetrics metrics, Executor blocking, Clock clock,
                      SessionLifecycle lifecycle) {
        this.lifecycle = Objects.requireNonNull(lifecycle);
        this.settings = Objects.requireNonNull(settings);
        this.gate = Objects.requireNonNull(gate);
        this.audit = Objects.requireNonNull(audit);
        this.registry = Objects.requireNonNull(registry);
        this.protocol = Objects.requireNonNull(protocol);
        this.metrics = Objects.requireNonNull(metrics);
        this.blocking = Objects.requireNonNull(blocking);
        this.clock = Objects.requireNonNull(clock);
        this.perSource = new PerSourceCounter(settings.maxSessionsPerIp());
        this.resumable = new ResumeCredentials(clock, settings.resumeGrace());
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(settings.maxFrameBytes())
                .allowExtensions(false)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .build();
    }

    /** This node's resume credentials (tests look at them). */
    public ResumeCredentials resumable() {
        return resumable;
    }

    @Override
    public String path() {
        return settings.path();
    }

    /** Refuse upgrades with 503 while the store is unreachable (joins could not be decided). */
    public void storeAvailability(StoreAvailability availability) {
        this.storeAvailability = Objects.requireNonNull(availability);
    }

    /** Which web origins may open {@code /v1/ws}; the server's own origin unless configured otherwise. */
    public void originPolicy(OriginPolicy policy) {
        this.origins = Objects.requireNonNull(policy);
    }

    @Override
    public int upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String sourceIp, String limitKey) {
        String version = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (version != null && !version.strip().equals("13")) {
            metrics.connectionRefused("ws_bad_upgrade");
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return 426;
        }
        if (draining) {
            // the SDK treats the failed upgrade like a lost connection and rejoins (elsewhere, or here once back)
            metrics.connectionRefused("draining");
            return refuse(ctx, 503, "draining", "The server is shutting down; join again shortly.");
        }
        if (!isRfc6455Upgrade(req)) {
            // hixie-75/76 drafts (no version, Sec-WebSocket-Key1/2, unmasked 0x00/0xFF framing) and malformed
            // upgrades are refused before any per-source slot or session state exists
            metrics.connectionRefused("ws_bad_upgrade");
            return refuse(ctx, 400, "bad_upgrade", "Only RFC 6455 WebSocket upgrades (version 13) are accepted.");
        }
        if (!origins.allows(req.headers().get(HttpHeaderNames.ORIGIN), req.headers().get(HttpHeaderNames.HOST))) {
            metrics.connectionRefused("ws_origin");
            audit.joinRefused(sourceIp, "origin_not_allowed");
            return refuse(ctx, 403, "origin_not_allowed", "WebSocket connections from this origin are not allowed.");
        }
        if (storeAvailability != null && !storeAvailability.available()) {
            metrics.connectionRefused("ws_store_unavailable");
            return refuse(ctx, 503, "store_unavailable",
                    "The database is unreachable, so joins cannot be decided; retry shortly.");
        }
        if (!perSource.tryAcquire(limitKey)) {
            metrics.connectionRefused("ws_per_ip_cap");
            return refuse(ctx, 429, "too_many_sessions", "Too many WebSocket sessions from this address.");
        }
        String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
        WebSocketServerHandshaker hs = new WebSocketServerHandshaker13("wss://" + host + settings.path(), null,
                decoderConfig);
        ChannelPipeline p = ctx.pipeline();
        // From here on the connection is a WebSocket: HTTP deadlines and routing no longer apply.
        p.remove("deadline");
        FrameGuard guard = new FrameGuard(settings, System::nanoTime);
        WsSessionHandler session = new WsSessionHandler(settings, gate, audit, registry, protocol, metrics, blocking,
                clock, sourceIp, () -> perSource.release(limitKey), lifecycle, resumable);
        try {
            hs.handshake(ctx.channel(), req).addListener(f -> {
                if (!f.isSuccess()) ctx.channel().close();
            });
        } catch (RuntimeException e) {
            perSource.release(limitKey); // the session handler that would release it is not installed yet
            ctx.channel().close();
            return 400;
        }
        // invalid UTF-8 in a text frame (overlong forms, surrogates) closes with 1007 before anything reads it
        p.addLast("ws-utf8", new Utf8FrameValidator(true));
        p.addLast("ws-guard", guard);
        p.addLast("ws-aggregate", new WebSocketFrameAggregator(settings.maxMessageBytes()));
        p.addLast("ws-session", session);
        p.remove(ctx.handler());
        ctx.channel().config().setAutoRead(true); // the dispatcher may have paused reading for a pipelined request
        return 101;
    }

    /** RFC 6455 4.2.1: GET, HTTP/1.1, Upgrade: websocket, Connection: Upgrade, a 16-byte base64 key, version 13. */
    static boolean isRfc6455Upgrade(FullHttpRequest req) {
        if (!HttpMethod.GET.equals(req.method()) || !HttpVersion.HTTP_1_1.equals(req.protocolVersion())) return false;
        if (!"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "").strip())) return false;
        if (!req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !req.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return false;
        }
        if (req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY).size() != 1) return false;
        String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY).strip();
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int refuse(ChannelHandlerContext ctx, int status, String code, String message) {
        ctx.writeAndFlush(HttpDispatcher.toResponse(HttpResult.error(status, code, message), false, 0))
                .addListener(ChannelFutureListener.CLOSE);
        return status;
    }

    /** Stops admitting new sessions (graceful drain before shutdown); joined sessions are left alone. */
    public void drain() {
        draining = true;
        resumable.stopParking(); // a server going away keeps no dropped session: its clients rejoin elsewhere
    }

    /** Whether {@link #drain} was called. */
    public boolean draining() {
        return draining;
    }

    public ParticipantRegistry registry() {
        return registry;
    }
}
