package dev.chorus.signaling.cluster;

import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.project.ControlPlane;
import java.time.Clock;

/**
 * Makes a node part of a cluster: registers it and heartbeats its load ({@link ClusterMembership}), links its
 * live authorization to the other nodes ({@link ClusterLink}), and wraps its join gate with room placement and
 * cluster-wide session slots ({@link ClusterJoinGate}). Install after the control edge is built and before it
 * starts; close before the edge and the control plane.
 */
public final class ClusterNode implements AutoCloseable {
    private final ClusterSettings settings;
    private final ClusterMembership membership;
    private final ClusterLink link;
    private final RoomPlacement placement;
    private final ClusterJoinGate gate;

    private ClusterNode(ClusterSettings settings, ClusterMembership membership, ClusterLink link,
                        RoomPlacement placement, ClusterJoinGate gate) {
        this.gate = gate;
        this.settings = settings;
        this.membership = membership;
        this.link = link;
        this.placement = placement;
    }

    /**
     * @param bus the bus to link through (not yet subscribed); closed with this node
     * @throws RuntimeException when the store or the bus cannot be reached (nothing stays registered or running)
     */
    public static ClusterNode install(ClusterSettings s, ClusterBus bus, ControlPlane control, ControlEdge edge,
                                      Clock clock) {
        var store = control.store();
        ClusterMembership membership = new ClusterMembership(store.nodes(), s.nodeId(), s.publicUrl(),
                s.mediaAddress(), s.capacity(), () -> edge.sessions().size(), clock, s.nodeTimeout());
        ClusterLink link;
        try {
            link = ClusterLink.install(s.nodeId(), bus, control, edge.sessions(), s.resyncInterval());
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
        try {
            membership.start(s.heartbeat());
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        RoomPlacement placement = new RoomPlacement(s.nodeId(), store.nodes(), store.roomClaims(), clock,
                s.nodeTimeout());
        ClusterJoinGate[] gate = new ClusterJoinGate[1];
        edge.wrapJoinGate(local -> gate[0] = new ClusterJoinGate(local, s.nodeId(), store, placement, edge.sessions()));
        return new ClusterNode(s, membership, link, placement, gate[0]);
    }

    public ClusterSettings settings() { return settings; }
    public ClusterMembership membership() { return membership; }
    public ClusterLink link() { return link; }
    public RoomPlacement placement() { return placement; }

    /** What a kill -9 looks like to the other nodes: no more heartbeats, no deregistration (tests). */
    public void crash() {
        gate.crashed(); // its sessions' ends give back nothing: only the expiry frees its rooms
        membership.stopHeartbeat();
        link.close();
    }

    @Override
    public void close() {
        try {
            membership.close();
        } finally {
            link.close();
        }
    }
}
