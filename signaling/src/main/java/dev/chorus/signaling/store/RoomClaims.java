package dev.chorus.signaling.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Room placement: a live room is claimed by exactly one node. A claim is atomic across nodes: when two nodes claim
 * the same free room at the same instant, one wins and both are told the winner.
 */
public interface RoomClaims {

    /**
     * Claims the room for {@code nodeId} if no node holds it. Returns the claim that holds afterwards: this node's
     * (new, or held already) or the node's that held it before.
     */
    RoomClaim claim(String projectId, String roomId, String nodeId, Instant at);

    /** The node holding the room, if any. */
    Optional<RoomClaim> owner(String projectId, String roomId);

    /** Releases the room if {@code nodeId} holds it; false (and nothing changes) otherwise. */
    boolean release(String projectId, String roomId, String nodeId);

    /** Every claim held by the node, oldest first. */
    List<RoomClaim> claimsOf(String nodeId);
}
