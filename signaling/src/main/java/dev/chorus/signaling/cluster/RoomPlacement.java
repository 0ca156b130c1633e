package dev.chorus.signaling.cluster;

import dev.chorus.signaling.store.NodeRecord;
import dev.chorus.signaling.store.NodeRegistry;
import dev.chorus.signaling.store.RoomClaim;
import dev.chorus.signaling.store.RoomClaims;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides which node hosts a room (docs/cluster.md): the node holding its claim; a room nobody holds goes to the
 * live node with the most headroom (a node within a tenth of its capacity of the best keeps it). This node claims it
 * when it is that node (or when no other node is live); the
 * claim is atomic in the shared store, so two nodes placing the same room at once agree on one owner.
 */
public final class RoomPlacement {
    /** Where a join goes. */
    public sealed interface Decision {}

    /** This node hosts the room (its claim is held). */
    public record Local() implements Decision {}

    /** Another node hosts (or is chosen to host) the room. */
    public record Elsewhere(String nodeId, String url) implements Decision {}

    private final String nodeId;
    private final NodeRegistry nodes;
    private final RoomClaims claims;
    private final Clock clock;
    private final Duration nodeTimeout;

    public RoomPlacement(String nodeId, NodeRegistry nodes, RoomClaims claims, Clock clock, Duration nodeTimeout) {
        this.nodeId = nodeId;
        this.nodes = nodes;
        this.claims = claims;
        this.clock = clock;
        this.nodeTimeout = nodeTimeout;
    }

    /** @throws dev.chorus.signaling.store.StoreException.Unavailable when the shared store cannot be reached */
    public Decision place(String projectId, String roomId) {
        Optional<RoomClaim> owner = claims.owner(projectId, roomId);
        if (owner.isPresent()) return decision(owner.get());
        List<NodeRecord> live = nodes.liveNodes(clock.instant().minus(nodeTimeout)); // most headroom first
        NodeRecord best = live.stream().filter(n -> n.headroom() > 0).findFirst().orElse(null);
        if (best == null || best.nodeId().equals(nodeId) || closeEnough(live, best)) {
            return decision(claims.claim(projectId, roomId, nodeId, clock.instant()));
        }
        return new Elsewhere(best.nodeId(), best.publicUrl().toString());
    }

    /** Gives up this node's claim (its last participant of the room left). */
    public boolean release(String projectId, String roomId) {
        return claims.release(projectId, roomId, nodeId);
    }

    private Decision decision(RoomClaim c) {
        if (c.nodeId().equals(nodeId)) return new Local();
        return nodes.node(c.nodeId()).<Decision>map(n -> new Elsewhere(n.nodeId(), n.publicUrl().toString()))
                .orElseGet(Local::new); // its node was just expired with its claims: next join re-places
    }

    /**
     * Keeps the room here when this node's headroom is within a tenth of its capacity (at least 1) of the best:
     * loads are heartbeat-old, so small differences are noise, and a redirect costs the client a reconnect.
     */
    private boolean closeEnough(List<NodeRecord> live, NodeRecord best) {
        return live.stream().anyMatch(n -> n.nodeId().equals(nodeId)
                && n.headroom() + Math.max(1, n.capacity() / 10) >= best.headroom());
    }
}
