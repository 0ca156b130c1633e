package dev.chorus.signaling.cluster;

import dev.chorus.signaling.auth.AbacCheck;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.store.SessionSlots;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreException;
import dev.chorus.signaling.ws.JoinGate;
import dev.chorus.signaling.ws.JoinOutcome;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.ws.ParticipantSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join gate of a cluster node: the token is verified first (by the node's own gate: a bad token learns nothing
 * about the cluster), then the room is placed ({@link RoomPlacement}): joins for a room hosted elsewhere are
 * answered with a redirect, and a join admitted here takes its cluster-wide session slots, one per token and at
 * most {@code maxSessions} per identity, atomically in the shared store, so two nodes admitting the same token at
 * the same instant never both keep it. A store that cannot be reached answers "try again later" (close 1013).
 */
public final class ClusterJoinGate implements JoinGate {
    private static final Logger log = LoggerFactory.getLogger(ClusterJoinGate.class);
    static final String TOKEN_SLOT = "jti:";
    static final String IDENTITY_SLOT = "sub:";

    private final JoinGate local;
    private final String nodeId;
    private final Store store;
    private final SessionSlots slots;
    private final RoomPlacement placement;
    private final ParticipantRegistry sessions;
    /** Set by {@link #crashed()}: a node that "died" gives nothing back; its expiry does (tests of kill -9). */
    private volatile boolean crashed;

    public ClusterJoinGate(JoinGate local, String nodeId, Store store, RoomPlacement placement,
                           ParticipantRegistry sessions) {
        this.local = local;
        this.nodeId = nodeId;
        this.store = store;
        this.slots = store.sessionSlots();
        this.placement = placement;
        this.sessions = sessions;
    }

    @Override
    public JoinOutcome admit(String token, String room, String sourceIp) {
        JoinOutcome outcome;
        try {
            outcome = local.admit(token, room, sourceIp);
        } catch (StoreException.Unavailable e) {
            return unavailable(e);
        }
        if (!(outcome instanceof JoinOutcome.Admitted a)) return outcome;
        try {
            if (placement.place(a.projectId(), a.room()) instanceof RoomPlacement.Elsewhere there) {
                local.ended(a);
                return new JoinOutcome.Redirected(there.url(), there.nodeId());
            }
            String refused = takeSlots(a);
            if (refused != null) {
                local.ended(a);
                return new JoinOutcome.Refused(refused);
            }
            return a;
        } catch (RuntimeException e) {
            local.ended(a);
            releaseSlots(a);
            if (e instanceof StoreException.Unavailable u) return unavailable(u);
            throw e;
        }
    }

    @Override
    public JoinOutcome refresh(String token, ParticipantSession session, String sourceIp) {
        try {
            return local.refresh(token, session, sourceIp); // same node, same slots
        } catch (StoreException.Unavailable e) {
            return unavailable(e);
        }
    }

    /** A resume is decided by the node that holds the parked session (resume state is per node). */
    @Override
    public JoinOutcome resume(String token, ParticipantSession session, String sourceIp) {
        try {
            return local.resume(token, session, sourceIp);
        } catch (StoreException.Unavailable e) {
            return unavailable(e);
        }
    }

    /** From now on ended sessions release nothing in the shared store, as after a kill -9 (tests). */
    void crashed() {
        crashed = true;
    }

    @Override
    public void ended(JoinOutcome.Admitted a) {
        local.ended(a);
        if (crashed) return;
        // on a virtual thread: ended() must not block the session's event loop on the store
        Thread.ofVirtual().name("chorus-cluster-ended").start(() -> {
            try {
                releaseSlots(a);
                boolean othersHere = sessions.inRoom(a.projectId(), a.room()).stream()
                        .anyMatch(s -> !s.participantId().equals(a.participantId()));
                if (!othersHere) placement.release(a.projectId(), a.room());
            } catch (RuntimeException e) {
                // the node's expiry frees them at the latest; logged once per cause class would be nicer
                log.warn("event=cluster_release_failed node={} cause={}", nodeId, e.toString());
            }
        });
    }

    /** Returns null when both slots are held, else the refusal reason (and holds neither). */
    private String takeSlots(JoinOutcome.Admitted a) {
        if (a.tokenId() != null
                && !slots.acquire(a.projectId(), TOKEN_SLOT + a.tokenId(), a.participantId(), nodeId, 1)) {
            return "token_in_use";
        }
        AccessPolicy policy = store.accessPolicy(a.projectId()).orElse(AccessPolicy.DEFAULT);
        int limit = AbacCheck.sessionLimit(policy, a.conditions());
        if (limit > 0 && !slots.acquire(a.projectId(), IDENTITY_SLOT + a.identity(), a.participantId(), nodeId,
                limit)) {
            if (a.tokenId() != null) slots.release(a.projectId(), TOKEN_SLOT + a.tokenId(), a.participantId());
            return "abac_max_sessions";
        }
        return null;
    }

    private void releaseSlots(JoinOutcome.Admitted a) {
        if (a.tokenId() != null) slots.release(a.projectId(), TOKEN_SLOT + a.tokenId(), a.participantId());
        slots.release(a.projectId(), IDENTITY_SLOT + a.identity(), a.participantId());
    }

    private static JoinOutcome unavailable(StoreException.Unavailable e) {
        log.debug("event=join_store_unavailable cause={}", e.getMessage());
        return new JoinOutcome.Unavailable("store_unavailable");
    }
}
