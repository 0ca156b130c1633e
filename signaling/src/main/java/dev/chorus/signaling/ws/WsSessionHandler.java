package dev.chorus.signaling.ws;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.store.StoreException;
import dev.chorus.signaling.http.Json;
import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One participant WebSocket, from upgrade to close. Until the join token is accepted no session exists: the only
 * state is this handler, a deadline timer and at most a few queued messages. The token is handed to the gate and
 * dropped; it is never logged.
 */
final class WsSessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WsSessionHandler.class);
    private static final int MAX_QUEUED_WHILE_ADMITTING = 16;

    private enum State { AWAITING_JOIN, ADMITTING, STARTING, JOINED, CLOSED }

    private final WsSettings settings;
    private final JoinGate gate;
    private final WsAudit audit;
    private final ParticipantRegistry registry;
    private final SignalingProtocol protocol;
    private final ChorusMetrics metrics;
    /** When the join message arrived (for {@code chorus_join_duration_seconds}). */
    private long joinStartedNanos;
    private final Executor blocking;
    private final Clock clock;
    private final String sourceIp;
    private final Runnable onClosed;
    private final SessionLifecycle lifecycle;
    private final ResumeCredentials resumable;
    /** Session resume (docs/protocol.md): a dropped connection's session kept, and taken over by a new connection. */
    private final SessionParking parking;
    private final SessionResumption resumption;
    /** The code of the client's close frame, or -1 (none: the connection just dropped). */
    private int clientCloseCode = -1;

    private State state = State.AWAITING_JOIN;
    private ScheduledFuture<?> joinTimer;
    private ScheduledFuture<?> expiryWarningTimer;
    private ScheduledFuture<?> expiryCloseTimer;
    private boolean refreshing;
    private final ArrayDeque<String> queued = new ArrayDeque<>();
    private ParticipantSession session;
    /** The admission this handler holds (its slots go back to the gate exactly once, in {@link #cleanup}). */
    private JoinOutcome.Admitted admittedHeld;
    private int errors;
    private boolean released;

    WsSessionHandler(WsSettings settings, JoinGate gate, WsAudit audit, ParticipantRegistry registry,
                     SignalingProtocol protocol, ChorusMetrics metrics, Executor blocking, Clock clock,
                     String sourceIp, Runnable onClosed, SessionLifecycle lifecycle, ResumeCredentials resumable) {
        this.resumable = resumable;
        this.settings = settings;
        this.gate = gate;
        this.audit = audit;
        this.registry = registry;
        this.protocol = protocol;
        this.metrics = metrics;
        this.blocking = blocking;
        this.clock = clock;
        this.sourceIp = sourceIp;
        this.onClosed = onClosed;
        this.lifecycle = lifecycle;
        this.parking = new SessionParking(resumable, registry, audit, metrics, lifecycle, this::endAdmission);
        this.resumption = new SessionResumption(resumable, gate, audit, registry, metrics, lifecycle, blocking, sourceIp);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        joinTimer = ctx.executor().schedule(() -> {
            if (state == State.AWAITING_JOIN) refuseEarly(ctx, WsCloseCodes.JOIN_TIMEOUT, "join timeout", "join_timeout");
        }, settings.joinTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TextWebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String text;
        try {
            text = frame.text();
        } finally {
            frame.release();
        }
        switch (state) {
            case AWAITING_JOIN -> onJoinMessage(ctx, text);
            case ADMITTING, STARTING -> {
                if (queued.size() >= MAX_QUEUED_WHILE_ADMITTING) {
                    policyClose(ctx, WsCloseCodes.POLICY_VIOLATION, "too many messages before joined", "queue_overflow");
                } else {
                    queued.add(text);
                }
            }
            case JOINED -> onMessage(ctx, text);
            case CLOSED -> { }
        }
    }

    private void onJoinMessage(ChannelHandlerContext ctx, String text) {
        ResumeRequest resume = ResumeRequest.parse(text, settings.maxTokenBytes());
        if (resume != null) {
            cancelJoinTimer();
            state = State.ADMITTING;
            joinStartedNanos = System.nanoTime();
            ctx.channel().config().setAutoRead(false);
            resumption.start(ctx, resume, resumingOn(ctx));
            return;
        }
        String[] join = parseJoin(text);
        if (join == null) {
            refuseEarly(ctx, WsCloseCodes.BAD_JOIN, "first message must be a join", "bad_join");
            return;
        }
        cancelJoinTimer();
        state = State.ADMITTING;
        joinStartedNanos = System.nanoTime();
        ctx.channel().config().setAutoRead(false);
        try {
            blocking.execute(() -> {
                JoinOutcome outcome;
                try {
                    outcome = gate.admit(join[0], join[1], sourceIp);
                } catch (StoreException.Unavailable e) {
                    // not the token's fault: the decision needs the database, which is down; the client retries
                    metrics.joinRefused("store_unavailable");
                    ctx.executor().execute(() -> {
                        if (state == State.ADMITTING) {
                            closeWith(ctx, WsCloseCodes.TRY_AGAIN_LATER, "store unavailable", "store_unavailable");
                        }
                    });
                    return;
                } catch (RuntimeException e) {
                    log.warn("event=join_gate_failed error={}", e.getClass().getName());
                    metrics.joinRefused("internal_error");
                    outcome = new JoinOutcome.Refused("internal_error");
                }
                JoinOutcome o = outcome;
                ctx.executor().execute(() -> onOutcome(ctx, o));
            });
        } catch (RejectedExecutionException e) {
            closeWith(ctx, WsCloseCodes.GOING_AWAY, "shutting down", "shutdown");
        }
    }

    /**
     * Returns {token, room} of a well-formed join message, or null. Exactly
     * {@code {"type":"join","room":string,"token":string}}; nothing else is accepted.
     */
    private String[] parseJoin(String text) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(text);
        } catch (JacksonException e) {
            return null;
        }
        if (!(n instanceof ObjectNode o) || o.size() != 3) return null;
        JsonNode room = o.get("room");
        if (room == null || !room.isTextual() || room.textValue().isEmpty() || room.textValue().length() > 128) return null;
        JsonNode type = o.get("type");
        JsonNode token = o.get("token");
        if (type == null || !type.isTextual() || !"join".equals(type.textValue())) return null;
        if (token == null || !token.isTextual()) return null;
        String t = token.textValue();
        if (t.isEmpty() || t.length() > settings.maxTokenBytes()) return null;
        return new String[] {t, room.textValue()};
    }

    private void onOutcome(ChannelHandlerContext ctx, JoinOutcome outcome) {
        if (state != State.ADMITTING) {
            if (outcome instanceof JoinOutcome.Admitted a) endAdmission(a); // closed while we verified
            return;
        }
        switch (outcome) {
            case JoinOutcome.Refused r -> {
                // counted and audited by the gate (auth layer), with the precise reason
                closeWith(ctx, WsCloseCodes.JOIN_REFUSED, "join refused", "join_refused");
            }
            case JoinOutcome.Redirected r -> {
                // cluster mode: the room lives on another node; nothing was started or reserved here
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("type", "redirect");
                m.put("url", r.url());
                m.put("node", r.nodeId());
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(new TextWebSocketFrame(Json.mapper().valueToTree(m).toString()));
                }
                closeWith(ctx, WsCloseCodes.REDIRECT, "redirect", "redirect");
            }
            case JoinOutcome.Unavailable u ->
                    closeWith(ctx, WsCloseCodes.TRY_AGAIN_LATER, "try again later", "unavailable");
            case JoinOutcome.Admitted a -> {
                if (!ctx.channel().isActive()) {
                    state = State.CLOSED; // the client left while we verified: nothing to register
                    endAdmission(a);
                    return;
                }
                admittedHeld = a;
                session = new ParticipantSession(a, sourceIp, clock.instant(), ctx.channel());
                registry.add(session);
                metrics.wsSessionOpened();
                state = State.STARTING;
                java.util.concurrent.CompletionStage<Map<String, Object>> started;
                try {
                    started = lifecycle.start(session);
                } catch (RuntimeException e) {
                    started = java.util.concurrent.CompletableFuture.failedFuture(e);
                }
                started.whenComplete((extra, failure) -> ctx.executor().execute(() -> onStarted(ctx, a, extra, failure)));
            }
        }
    }

    /** The call layer finished starting the session (or refused it): send {@code joined} and go live. */
    private void onStarted(ChannelHandlerContext ctx, JoinOutcome.Admitted a, Map<String, Object> extra,
                           Throwable failure) {
        if (state != State.STARTING) return; // closed meanwhile; cleanup told the lifecycle
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof SessionRefusedException r) {
                refuseStarting(ctx, r.closeCode(), r.reason());
            } else {
                log.warn("event=session_start_failed error={}", cause.getClass().getName());
                refuseStarting(ctx, WsCloseCodes.INTERNAL_ERROR, "internal_error");
            }
            return;
        }
        {
            {
                state = State.JOINED;
                Map<String, Object> joined = new LinkedHashMap<>();
                joined.put("type", "joined");
                joined.put("participantId", a.participantId());
                joined.put("room", a.room());
                if (a.name() != null) joined.put("name", a.name());
                joined.put("rights", a.rights());
                joined.put("expiresAt", a.expiresAt() == null ? null : a.expiresAt().getEpochSecond());
                if (extra != null) extra.forEach(joined::putIfAbsent);
                if (resumable.enabled()) joined.put("resume", resumable.clientField(session));
                session.sendJoined(joined);
                metrics.joinCompleted(System.nanoTime() - joinStartedNanos);
                scheduleExpiry(ctx);
                log.info("event=ws_joined participant={} project={} ip={}", a.participantId(), a.projectId(), sourceIp);
                goLive(ctx);
            }
        }
    }

    /** This connection as a resume sees it ({@link SessionResumption}): its state, timers and close. */
    private SessionResumption.Connection resumingOn(ChannelHandlerContext ctx) {
        return new SessionResumption.Connection() {
            @Override public boolean resuming() { return state == State.ADMITTING; }

            @Override public void takeOver(ParticipantSession s, JoinOutcome.Admitted admitted) {
                session = s;
                admittedHeld = admitted;
                state = State.JOINED;
            }

            @Override public void scheduleExpiry() { WsSessionHandler.this.scheduleExpiry(ctx); }
            @Override public void goLive() { WsSessionHandler.this.goLive(ctx); }
            @Override public void close(int code, String reason, String metricReason) {
                closeWith(ctx, code, reason, metricReason);
            }
        };
    }

    /** Joined or resumed: idle deadline on, the messages queued meanwhile handled, reading again. */
    private void goLive(ChannelHandlerContext ctx) {
        ctx.pipeline().addBefore(ctx.name(), "ws-idle",
                new IdleStateHandler(settings.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        for (Iterator<String> it = queued.iterator(); it.hasNext() && state == State.JOINED; ) {
            String m = it.next();
            it.remove();
            onMessage(ctx, m);
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void refuseStarting(ChannelHandlerContext ctx, int code, String reason) {
        try {
            audit.joinRefused(sourceIp, reason);
        } catch (RuntimeException e) {
            log.warn("event=ws_audit_failed error={}", e.getClass().getName());
        }
        metrics.joinRefused(reason);
        closeWith(ctx, code, reason.replace('_', ' '), reason);
    }

    private void onMessage(ChannelHandlerContext ctx, String text) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(text);
        } catch (JacksonException e) {
            replyError(ctx, "bad_json", "Message is not valid JSON within the limits.");
            return;
        }
        if (!(n instanceof ObjectNode o) || !(o.get("type") instanceof JsonNode t) || !t.isTextual()) {
            replyError(ctx, "bad_message", "Message must be a JSON object with a string \"type\".");
            return;
        }
        String type = t.textValue();
        if ("join".equals(type)) {
            replyError(ctx, "already_joined", "This session has already joined.");
            return;
        }
        if ("refresh".equals(type)) {
            onRefresh(ctx, o);
            return;
        }
        SessionMessageHandler h = protocol.handler(type);
        if (h == null) {
            replyError(ctx, "unknown_type", "Unknown message type.");
            return;
        }
        try {
            h.handle(session, o);
        } catch (ProtocolError e) {
            replyError(ctx, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("event=ws_handler_failed type={} error={}", safeType(type), e.getClass().getName());
            replyError(ctx, "internal_error", "Internal error.");
        }
    }

    /**
     * {@code {"type":"refresh","token":"…"}}: a fresh token for the same project, room and identity replaces the
     * session's token (rights and expiry). Verified by the same gate as a join (and audited by it).
     */
    private void onRefresh(ChannelHandlerContext ctx, ObjectNode o) {
        JsonNode token = o.get("token");
        if (o.size() != 2 || token == null || !token.isTextual() || token.textValue().isEmpty()
                || token.textValue().length() > settings.maxTokenBytes()) {
            replyError(ctx, "bad_message", "refresh needs exactly a string \"token\".");
            return;
        }
        if (refreshing) {
            replyError(ctx, "refresh_in_progress", "A refresh is already being verified.");
            return;
        }
        refreshing = true;
        String t = token.textValue();
        ParticipantSession current = session;
        try {
            blocking.execute(() -> {
                JoinOutcome outcome;
                try {
                    outcome = gate.refresh(t, current, sourceIp);
                } catch (RuntimeException e) {
                    log.warn("event=refresh_gate_failed error={}", e.getClass().getName());
                    outcome = new JoinOutcome.Refused("internal_error");
                }
                JoinOutcome r = outcome;
                ctx.executor().execute(() -> onRefreshOutcome(ctx, r));
            });
        } catch (RejectedExecutionException e) {
            refreshing = false;
            closeWith(ctx, WsCloseCodes.GOING_AWAY, "shutting down", "shutdown");
        }
    }

    private void onRefreshOutcome(ChannelHandlerContext ctx, JoinOutcome outcome) {
        refreshing = false;
        if (state != State.JOINED) return;
        if (outcome instanceof JoinOutcome.Admitted a) {
            try {
                session.renew(a);
            } catch (IllegalArgumentException e) {
                replyError(ctx, "refresh_refused", "The token was not accepted for this session.");
                return;
            }
            scheduleExpiry(ctx);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "refreshed");
            m.put("rights", a.rights());
            m.put("expiresAt", a.expiresAt() == null ? null : a.expiresAt().getEpochSecond());
            try {
                lifecycle.refreshed(session).forEach(m::putIfAbsent);
            } catch (RuntimeException e) {
                log.warn("event=session_refresh_hook_failed error={}", e.getClass().getName());
            }
            session.send(m);
            try {
                lifecycle.refreshApplied(session);
            } catch (RuntimeException e) {
                log.warn("event=session_refresh_hook_failed error={}", e.getClass().getName());
            }
            registry.renewed(session); // live authorization: effective rights (minus overrides) to the client
        } else {
            replyError(ctx, "refresh_refused", "The token was not accepted for this session.");
        }
    }

    /** Warns ahead of the token's expiry and closes (4005) after the grace period unless a refresh comes first. */
    private void scheduleExpiry(ChannelHandlerContext ctx) {
        cancelExpiry();
        java.time.Instant exp = session.expiresAt();
        if (exp == null) return;
        long untilExp = java.time.Duration.between(clock.instant(), exp).toNanos();
        long warnIn = Math.max(0, untilExp - settings.expiryWarning().toNanos());
        long closeIn = Math.max(0, untilExp + settings.expiryGrace().toNanos());
        expiryWarningTimer = ctx.executor().schedule(() -> {
            if (state == State.JOINED) {
                session.send(Map.of("type", "token_expiring", "expiresAt", exp.getEpochSecond()));
            }
        }, warnIn, TimeUnit.NANOSECONDS);
        expiryCloseTimer = ctx.executor().schedule(() -> {
            if (state == State.JOINED) policyClose(ctx, WsCloseCodes.TOKEN_EXPIRED, "token expired", "token_expired");
        }, closeIn, TimeUnit.NANOSECONDS);
    }

    private void cancelExpiry() {
        if (expiryWarningTimer != null) expiryWarningTimer.cancel(false);
        if (expiryCloseTimer != null) expiryCloseTimer.cancel(false);
        expiryWarningTimer = null;
        expiryCloseTimer = null;
    }

    private void replyError(ChannelHandlerContext ctx, String code, String message) {
        if (++errors > settings.maxErrors()) {
            policyClose(ctx, WsCloseCodes.POLICY_VIOLATION, "too many errors", "too_many_errors");
            return;
        }
        session.send(Map.of("type", "error", "code", code, "message", message));
    }

    private void refuseEarly(ChannelHandlerContext ctx, int code, String reason, String reasonCode) {
        audit.joinRefused(sourceIp, reasonCode);
        metrics.joinRefused(reasonCode);
        closeWith(ctx, code, reason, reasonCode);
    }

    /** A policy close: audited once (as a refused join before joining, as a session close after), then closed. */
    private void policyClose(ChannelHandlerContext ctx, int code, String reason, String reasonCode) {
        if (state == State.CLOSED) return;
        auditPolicy(reasonCode);
        closeWith(ctx, code, reason, reasonCode);
    }

    private void auditPolicy(String reasonCode) {
        try {
            if (state == State.JOINED) audit.sessionClosed(session, reasonCode);
            else audit.joinRefused(sourceIp, reasonCode);
        } catch (RuntimeException e) {
            log.warn("event=ws_audit_failed error={}", e.getClass().getName());
        }
    }

    private void closeWith(ChannelHandlerContext ctx, int code, String reason, String metricReason) {
        if (state == State.CLOSED) return;
        log.debug("event=ws_close code={} reason={} ip={}", code, metricReason, sourceIp);
        boolean wasJoined = session != null;
        state = State.CLOSED;
        cancelJoinTimer();
        cancelExpiry();
        metrics.wsClosed(metricReason);
        if (wasJoined) {
            session.close(code, reason);
        } else if (ctx.channel().isActive()) {
            WsClose.send(ctx.channel(), code, reason);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof FrameGuard.PolicyViolation v) {
            policyClose(ctx, v.code(), v.reason(), v.reasonCode());
            return;
        }
        if (evt instanceof FrameGuard.ClientClosed c) {
            clientCloseCode = c.code();
            return;
        }
        if (evt instanceof IdleStateEvent) {
            closeWith(ctx, WsCloseCodes.IDLE_TIMEOUT, "idle timeout", "idle_timeout");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            // The frame decoder or UTF-8 validator already answered with its close frame (1009 for an oversized
            // frame, 1007 for invalid UTF-8 in a text frame, 1002 else).
            int status = c.closeStatus() == null ? 0 : c.closeStatus().code();
            String reasonCode = status == WsCloseCodes.MESSAGE_TOO_BIG ? "too_big"
                    : status == WsCloseCodes.INVALID_PAYLOAD ? "invalid_utf8" : "protocol_error";
            if (state != State.CLOSED) {
                auditPolicy(reasonCode);
                metrics.wsClosed(reasonCode);
            }
            state = State.CLOSED;
            cancelJoinTimer();
            cancelExpiry();
            ctx.close();
        } else if (cause instanceof TooLongFrameException) {
            policyClose(ctx, WsCloseCodes.MESSAGE_TOO_BIG, "message too big", "too_big");
        } else if (cause instanceof CorruptedFrameException) {
            policyClose(ctx, WsCloseCodes.POLICY_VIOLATION, "protocol error", "protocol_error");
        } else {
            // a reset or broken connection is the network dropping it: the session may be parked for a resume
            if (!(cause instanceof java.io.IOException)) state = State.CLOSED;
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cleanup();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanup();
    }

    private void cleanup() {
        boolean resumable = state == State.JOINED && session != null && !released && this.resumable.enabled()
                && !session.closedOnPurpose()
                && clientCloseCode != WsCloseCodes.NORMAL && clientCloseCode != WsCloseCodes.GOING_AWAY;
        state = State.CLOSED;
        cancelJoinTimer();
        cancelExpiry();
        queued.clear();
        if (released) return;
        released = true;
        if (resumable && parking.park(session, admittedHeld)) {
            onClosed.run();
            return;
        }
        if (session != null) {
            log.info("event=ws_left participant={} project={}", session.participantId(), session.projectId());
            this.resumable.forget(session);
        }
        if (admittedHeld != null) endAdmission(admittedHeld);
        if (session != null) {
            registry.remove(session);
            metrics.wsSessionClosed();
            session.markClosing();
            try {
                lifecycle.ended(session);
            } catch (RuntimeException e) {
                log.warn("event=session_end_hook_failed error={}", e.getClass().getName());
            }
        }
        onClosed.run();
    }

    private void endAdmission(JoinOutcome.Admitted a) {
        try {
            gate.ended(a);
        } catch (RuntimeException e) {
            log.warn("event=join_gate_end_failed error={}", e.getClass().getName());
        }
    }

    private void cancelJoinTimer() {
        if (joinTimer != null) {
            joinTimer.cancel(false);
            joinTimer = null;
        }
    }

    private static String safeType(String type) {
        return type.length() <= 32 && type.chars().allMatch(c -> c >= 'a' && c <= 'z' || c == '_') ? type : "other";
    }
}
