package dev.chorus.signaling.ws;

import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.store.StoreException;
import io.netty.channel.ChannelHandlerContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a parked session over on the new connection its client resumes on (docs/protocol.md, "Session resume"):
 * the credential must name a session of this node still within its grace window and in the named room; then the
 * token is verified like a refresh (revocation and room state win; it must name the session's identity); then the
 * session is claimed, once, re-attached to this connection and answered with {@code resumed}. A refusal closes with
 * 4011 and its reason, audited as {@code session.resume}; a resume the shared store cannot decide closes with 1013.
 * Runs on the connection's event loop, apart from the gate's verification on the blocking executor.
 */
final class SessionResumption {
    private static final Logger log = LoggerFactory.getLogger(SessionResumption.class);
    private static final int TAKEOVER_WAIT_STEPS = 40;
    private static final long TAKEOVER_STEP_MILLIS = 50;

    /** What a resume needs of the connection handler it arrives on (called on the connection's event loop). */
    interface Connection {
        /** Still waiting for this resume's verdict (not closed meanwhile). */
        boolean resuming();

        /** From now on {@code s} is this connection's joined session, holding {@code admitted}'s slots. */
        void takeOver(ParticipantSession s, JoinOutcome.Admitted admitted);

        /** Token expiry warning and close timers for the session's (possibly renewed) token. */
        void scheduleExpiry();

        /** Idle deadline on, the messages queued meanwhile handled, reading again. */
        void goLive();

        /** Closes the connection with {@code code} and {@code reason} ({@code metricReason} for the metrics). */
        void close(int code, String reason, String metricReason);
    }

    private final ResumeCredentials resumable;
    private final JoinGate gate;
    private final WsAudit audit;
    private final ParticipantRegistry registry;
    private final ChorusMetrics metrics;
    private final SessionLifecycle lifecycle;
    private final Executor blocking;
    private final String sourceIp;

    SessionResumption(ResumeCredentials resumable, JoinGate gate, WsAudit audit, ParticipantRegistry registry,
                      ChorusMetrics metrics, SessionLifecycle lifecycle, Executor blocking, String sourceIp) {
        this.resumable = resumable;
        this.gate = gate;
        this.audit = audit;
        this.registry = registry;
        this.metrics = metrics;
        this.lifecycle = lifecycle;
        this.blocking = blocking;
        this.sourceIp = sourceIp;
    }

    /** A client asks to resume its parked session on {@code ctx}'s connection (reading paused, join timer off). */
    void start(ChannelHandlerContext ctx, ResumeRequest r, Connection connection) {
        if (!resumable.enabled()) {
            refuse(connection, null, "resume_disabled", true);
            return;
        }
        ResumeCredentials.Lookup found = resumable.lookup(r.credential());
        if (!found.found()) {
            refuse(connection, null, found.refusal().code(), true);
            return;
        }
        ParticipantSession target = found.session();
        if (!target.room().equals(r.room())) {
            refuse(connection, target, ResumeCredentials.Refusal.MISMATCH.code(), true);
            return;
        }
        try {
            blocking.execute(() -> {
                JoinOutcome outcome;
                try {
                    outcome = gate.resume(r.token(), target, sourceIp);
                } catch (StoreException.Unavailable e) {
                    outcome = new JoinOutcome.Unavailable("store_unavailable"); // not the client's fault: retry
                } catch (RuntimeException e) {
                    log.warn("event=resume_gate_failed error={}", e.getClass().getName());
                    outcome = new JoinOutcome.Refused("internal_error");
                }
                JoinOutcome o = outcome;
                ctx.executor().execute(() -> onVerified(ctx, connection, r.credential(), target, o, 0));
            });
        } catch (RejectedExecutionException e) {
            connection.close(WsCloseCodes.GOING_AWAY, "shutting down", "shutdown");
        }
    }

    private void onVerified(ChannelHandlerContext ctx, Connection connection, String credential,
                            ParticipantSession target, JoinOutcome outcome, int attempt) {
        if (!connection.resuming()) return;
        if (outcome instanceof JoinOutcome.Unavailable) {
            // the decision needs the shared store, which is down: nothing was spent, the client tries again (1013)
            connection.close(WsCloseCodes.TRY_AGAIN_LATER, "try again later", "unavailable");
            return;
        }
        if (!(outcome instanceof JoinOutcome.Admitted a)) {
            // audited by the gate with the precise reason; the client learns whether it was the identity or the token
            String reason = outcome instanceof JoinOutcome.Refused f && "refresh_mismatch".equals(f.reason())
                    ? ResumeCredentials.Refusal.MISMATCH.code() : "token_refused";
            refuse(connection, target, reason, false);
            return;
        }
        ResumeCredentials.Lookup claimed = resumable.claim(credential);
        if (claimed.refusal() == ResumeCredentials.Refusal.NOT_PARKED && attempt < TAKEOVER_WAIT_STEPS) {
            // the old connection still looks alive here (half-open after a network change): drop it, wait for the park
            if (attempt == 0) target.dropConnection();
            ctx.executor().schedule(() -> onVerified(ctx, connection, credential, target, outcome, attempt + 1),
                    TAKEOVER_STEP_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (!claimed.found()) {
            refuse(connection, target, claimed.refusal().code(), true);
            return;
        }
        ParticipantSession s = claimed.session();
        connection.takeOver(s, claimed.parked().admitted());
        boolean renewed = !a.tokenId().equals(s.tokenId()) || !java.util.Objects.equals(a.expiresAt(), s.expiresAt());
        if (renewed) s.renew(a); // the client resumed with a fresh token: its rights and expiry apply from now
        Map<String, Object> resumed = new LinkedHashMap<>();
        resumed.put("type", "resumed");
        resumed.put("participantId", s.participantId());
        resumed.put("room", s.room());
        resumed.put("rights", s.rights());
        resumed.put("expiresAt", s.expiresAt() == null ? null : s.expiresAt().getEpochSecond());
        resumed.put("resume", resumable.clientField(s));
        if (!s.attach(ctx.channel(), resumed)) {
            // more happened while parked than was kept: the client's view cannot be made whole
            refuse(connection, s, "resume_state_lost", true);
            return;
        }
        try {
            audit.resumed(s, sourceIp);
        } catch (RuntimeException e) {
            log.warn("event=ws_audit_failed error={}", e.getClass().getName());
        }
        metrics.wsSessionOpened();
        connection.scheduleExpiry();
        log.info("event=ws_resumed participant={} project={} ip={}", s.participantId(), s.projectId(), sourceIp);
        try {
            lifecycle.resumed(s);
            if (renewed) lifecycle.refreshApplied(s);
        } catch (RuntimeException e) {
            log.warn("event=session_resume_hook_failed error={}", e.getClass().getName());
        }
        if (renewed) registry.renewed(s); // live authorization: effective rights to the client
        connection.goLive();
    }

    /** Refuses a resume with 4011 and its reason (the client joins again); audited here unless the gate did. */
    private void refuse(Connection connection, ParticipantSession target, String reason, boolean audit) {
        if (audit) {
            try {
                this.audit.resumeRefused(sourceIp, target, reason);
            } catch (RuntimeException e) {
                log.warn("event=ws_audit_failed error={}", e.getClass().getName());
            }
        }
        log.info("event=ws_resume_refused reason={} ip={}", reason, sourceIp);
        connection.close(WsCloseCodes.RESUME_REFUSED, reason, "resume_refused");
    }
}
