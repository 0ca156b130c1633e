package dev.chorus.signaling.ws;

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
    private final WebSocketDecoderConfig decoderConfig;
    private final SessionLifecycle lifecycle;

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
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(settings.maxFrameBytes())
                .allowExtensions(false)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .build();
    }

    @Override
    public String path() {
        return settings.path();
    }

    @Override
    public int upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String sourceIp, String limitKey) {
        if (!perSource.tryAcquire(limitKey)) {
            metrics.connectionRefused("ws_per_ip_cap");
            ctx.writeAndFlush(HttpDispatcher.toResponse(HttpResult.error(429, "too_many_sessions",
                    "Too many WebSocket sessions from this address."), false, 0)).addListener(ChannelFutureListener.CLOSE);
            return 429;
        }
        String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory("wss://" + host + settings.path(), null,
                decoderConfig).newHandshaker(req);
        if (hs == null) {
            perSource.release(limitKey);
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return 426;
        }
        ChannelPipeline p = ctx.pipeline();
        // From here on the connection is a WebSocket: HTTP deadlines and routing no longer apply.
        p.remove("deadline");
        FrameGuard guard = new FrameGuard(settings, System::nanoTime);
        WsSessionHandler session = new WsSessionHandler(settings, gate, audit, registry, protocol, metrics, blocking,
                clock, sourceIp, () -> perSource.release(limitKey), lifecycle);
        hs.handshake(ctx.channel(), req).addListener(f -> {
            if (!f.isSuccess()) ctx.channel().close();
        });
        p.addLast("ws-guard", guard);
        p.addLast("ws-aggregate", new WebSocketFrameAggregator(settings.maxMessageBytes()));
        p.addLast("ws-session", session);
        p.remove(ctx.handler());
        ctx.channel().config().setAutoRead(true); // the dispatcher may have paused reading for a pipelined request
        return 101;
    }

    public ParticipantRegistry registry() {
        return registry;
    }
}
