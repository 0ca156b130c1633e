package dev.chorus.signaling.auth;

import dev.chorus.signaling.store.StoreException;
import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.AuditOutcome;
import dev.chorus.signaling.audit.RefusalAuditor;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket's entry point: verifies a join token for the requested room, audits the admission or the refusal
 * (exactly one event either way, never containing the token), counts it, and returns the grant. A refused join
 * creates no state. An admitted join to a room without a record creates the record only when the project allows
 * auto-created rooms (the verifier already refused otherwise).
 */
public final class JoinAdmission {
    private static final Logger log = LoggerFactory.getLogger(JoinAdmission.class);

    /** The session a refresh is for: the new token must name the same project, room and identity. */
    public record RefreshOf(String projectId, String room, String identity, boolean p2p) {
        public RefreshOf(String projectId, String room, String identity) {
            this(projectId, room, identity, false);
        }
    }

    /** Closes the live session a token holds, when the project lets a second join replace it. */
    @FunctionalInterface
    public interface SessionReplacer {
        void replace(String projectId, String jti);
    }

    private volatile SessionReplacer replacer = (p, j) -> { };

    /** Set by the WebSocket layer: how to close the session that holds a token ({@code replaceSameTokenSession}). */
    public void sessionReplacer(SessionReplacer r) {
        this.replacer = r;
    }

    /** Live sessions per identity and per jti on this node, reserved at admission (see {@link #ended}). */
    private final SessionSlots slots = new SessionSlots();
    private volatile boolean devMode;
    private final JoinTokenVerifier verifier;
    private final Store store;
    private final AuditLog audit;
    private final AuthMetrics metrics;
    private final Clock clock;

    /** Refusals audited (rate-limited per source) through here; null = every refusal is its own line. */
    private final RefusalAuditor refusals;
    /** Refused joins per source; once over its budget a source is refused before any signature check. */
    private final AuthFailureLimiter failures;

    /** Every refusal audited, no per-source limit (unit tests of the verification contract). */
    public JoinAdmission(JoinTokenVerifier verifier, Store store, AuditLog audit, AuthMetrics metrics, Clock clock) {
        this(verifier, store, audit, metrics, clock, null, null);
    }

    /**
     * @param refusals audits refusals with a per-source budget and a count of the suppressed ones
     * @param failures per-source budget of refused joins; beyond it a join is refused ({@code throttled}) before
     *                 the token is parsed or any key looked up
     */
    public JoinAdmission(JoinTokenVerifier verifier, Store store, AuditLog audit, AuthMetrics metrics, Clock clock,
                         RefusalAuditor refusals, AuthFailureLimiter failures) {
        this.verifier = verifier;
        this.store = store;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
        this.refusals = refusals;
        this.failures = failures;
    }

    /**
     * @param token  the join token as received (never logged)
     * @param room   the room the client asked for
     * @param source the client's address
     * @throws TokenRefusedException with a generic message; its reason is in the audit trail
     */
    public JoinGrant admit(String token, String room, String source) {
        JoinGrant grant = verifyLive(token, room, source, null, AuditAction.JOIN);
        try {
            // the verifier only lets an unknown room through when the project auto-creates rooms
            boolean created = store.room(grant.projectId(), grant.roomId()).isEmpty()
                    && store.createRoom(Room.open(grant.projectId(), grant.roomId(), clock.instant()));
            audit.append(AuditEvent.success(grant.projectId(),
                    AuditEvent.identityHash(grant.projectId(), grant.identity()), source, AuditAction.JOIN,
                    "room:" + grant.roomId(),
                    joinChanges(grant, created)));
        } catch (RuntimeException e) {
            ended(grant.projectId(), grant.identity(), grant.jti());
            throw e;
        }
        metrics.joinAdmitted();
        return grant;
    }

    /**
     * An admitted join's session ended (or never started): gives back the identity and jti slots {@link #admit}
     * reserved. The WebSocket layer calls it exactly once per admitted join, with the grant's original jti.
     */
    public void ended(String projectId, String identity, String jti) {
        slots.release(identityKey(projectId, identity));
        slots.release(jtiKey(projectId, jti));
    }

    /** Live sessions of an identity on this node (admitted and not yet ended). */
    public int liveSessions(String projectId, String identity) {
        return slots.held(identityKey(projectId, identity));
    }

    private static String identityKey(String projectId, String identity) {
        return "sub\0" + projectId + "\0" + identity;
    }

    private static String jtiKey(String projectId, String jti) {
        return "jti\0" + projectId + "\0" + jti;
    }

    /**
     * A refresh of a live session: the same checks as a join (signature, expiry, key state, jti and subject
     * revocation, room open, ABAC, PII), plus: the token names the session's project, room and identity. Audited as
     * {@code refresh} (admitted with the new jti/kid/exp, or refused with the reason).
     */
    public JoinGrant refresh(String token, RefreshOf session, String source) {
        JoinGrant grant = verifyLive(token, session.room(), source, session, AuditAction.REFRESH);
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("jti", grant.jti());
        changes.put("kid", grant.kid());
        changes.put("exp", grant.expiresAt().toString());
        audit.append(AuditEvent.success(grant.projectId(), AuditEvent.identityHash(grant.projectId(), grant.identity()),
                source, AuditAction.REFRESH, "room:" + grant.roomId(), changes));
        return grant;
    }

    /**
     * The token presented with a session resume: the same checks as a refresh (so revocation and room state win over
     * a resume credential), refusals audited as {@code session.resume}; an accepted resume is audited by the
     * WebSocket layer once the session is re-attached. Reserves no slot: the parked session keeps its own.
     */
    public JoinGrant resume(String token, RefreshOf session, String source) {
        return verifyLive(token, session.room(), source, session, AuditAction.SESSION_RESUME);
    }

    /** The audited fields of an admitted join; a private peer-to-peer room's join says so ({@code mode=p2p}). */
    private static Map<String, String> joinChanges(JoinGrant grant, boolean created) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("jti", grant.jti());
        m.put("kid", grant.kid());
        if (created) m.put("room_created", "true");
        if (grant.p2p()) m.put("mode", "p2p");
        return m;
    }

    /** Dev mode: the PII guard warns instead of refusing. */
    public void devMode(boolean dev) {
        this.devMode = dev;
    }

    private JoinGrant verifyLive(String token, String room, String source, RefreshOf refreshOf, String action) {
        if (failures != null && failures.throttled(source)) {
            // bounded cost for a source that keeps failing: no parsing, no key lookup, no signature check
            metrics.joinRefused(RefusalReason.THROTTLED);
            auditRefusal(AuditEvent.refused(null, null, source, action, "room:" + room,
                    RefusalReason.THROTTLED.code()));
            throw new TokenRefusedException(RefusalReason.THROTTLED);
        }
        try {
            JoinGrant grant = verifier.verify(token, room);
            if (refreshOf != null && (!refreshOf.projectId().equals(grant.projectId())
                    || !refreshOf.room().equals(grant.roomId()) || !refreshOf.identity().equals(grant.identity())
                    || refreshOf.p2p() != grant.p2p())) { // a session never changes between SFU and p2p
                throw new TokenRefusedException(RefusalReason.REFRESH_MISMATCH, grant.projectId(), grant.kid(),
                        grant.identity());
            }
            AccessPolicy policy = checkAttributes(grant, source, refreshOf != null);
            if (refreshOf == null) reserve(grant, policy);
            return grant;
        } catch (TokenRefusedException e) {
            String actor = e.subject() != null ? AuditEvent.identityHash(e.projectId(), e.subject()) : e.kid();
            if (failures != null) failures.recordFailure(source);
            auditRefusal(AuditEvent.refused(e.projectId(), actor, source, action, "room:" + room, e.reason().code()));
            metrics.joinRefused(e.reason());
            throw e;
        } catch (RuntimeException e) {
            // the store failed, not the token: record that the decision could not be made, then fail closed
            audit.append(new AuditEvent(null, null, source, action, "room:" + room, AuditOutcome.ERROR,
                    e instanceof StoreException.Unavailable ? "store_unavailable" : "internal_error", Map.of()));
            throw e;
        }
    }

    private void auditRefusal(AuditEvent e) {
        if (refusals != null) refusals.refused(e);
        else audit.append(e);
    }

    /**
     * Takes the join's slots atomically: one live session per jti (a token admits one session at a time), and at
     * most the {@code maxSessions} of the project policy and the token for the identity. The check in
     * {@link #checkAttributes} saw a count; this is what makes parallel joins unable to overshoot it.
     */
    private void reserve(JoinGrant g, AccessPolicy policy) {
        String jti = jtiKey(g.projectId(), g.jti());
        if (!slots.tryAcquire(jti, 1)) {
            if (!policy.replaceSameTokenSession()) {
                throw new TokenRefusedException(RefusalReason.TOKEN_IN_USE, g.projectId(), g.kid(), g.identity());
            }
            // the project replaces: the older session is told to close; its slot comes back when it has ended
            replacer.replace(g.projectId(), g.jti());
            slots.tryAcquire(jti, 0);
            slots.tryAcquire(identityKey(g.projectId(), g.identity()), 0); // takes the place of the one it replaces
            return;
        }
        int limit = AbacCheck.sessionLimit(policy, g.conditions());
        if (!slots.tryAcquire(identityKey(g.projectId(), g.identity()), limit)) {
            slots.release(jti);
            throw new TokenRefusedException(RefusalReason.ABAC_MAX_SESSIONS, g.projectId(), g.kid(), g.identity());
        }
    }

    /** PII guard, then the ABAC conditions of the project's access policy and the token's {@code cond} claim. */
    private AccessPolicy checkAttributes(JoinGrant g, String source, boolean refresh) {
        AccessPolicy policy = store.accessPolicy(g.projectId()).orElse(AccessPolicy.DEFAULT);
        if (!policy.allowPiiIdentities()) {
            RefusalReason pii = PiiGuard.looksLikePii(g.identity()) != null ? RefusalReason.PII_IDENTITY
                    : PiiGuard.looksLikePii(g.meta()) != null ? RefusalReason.PII_META
                    : PiiGuard.looksLikePii(g.name()) != null ? RefusalReason.PII_NAME : null;
            if (pii != null) {
                if (!devMode) throw new TokenRefusedException(pii, g.projectId(), g.kid(), g.identity());
                log.warn("event=pii_warning project={} reason={} (dev mode: admitted; refused in production)",
                        g.projectId(), pii.code());
            }
        }
        // a refresh does not count its own session, nor does a join that will replace its token's session
        boolean replacing = !refresh && policy.replaceSameTokenSession()
                && slots.held(jtiKey(g.projectId(), g.jti())) > 0;
        int others = liveSessions(g.projectId(), g.identity()) - (refresh || replacing ? 1 : 0);
        RefusalReason denied = AbacCheck.check(policy, g.conditions(), source, Math.max(0, others), clock.instant());
        if (denied != null) throw new TokenRefusedException(denied, g.projectId(), g.kid(), g.identity());
        return policy;
    }
}
