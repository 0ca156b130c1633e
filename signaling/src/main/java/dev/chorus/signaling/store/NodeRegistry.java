package dev.chorus.signaling.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The nodes of a cluster: each registers itself, heartbeats with its load, and is removed when its heartbeat is
 * older than the timeout. Removing a node frees everything it held ({@link RoomClaims}, {@link SessionSlots}) in
 * the same transaction, so a dead node's rooms are placeable again the moment it is expired.
 */
public interface NodeRegistry {

    /** Registers the node or replaces its record (a restarted node re-registers under its id). */
    void register(NodeRecord node);

    /** Records a heartbeat with the node's current load; false if the node is not registered (it was expired). */
    boolean heartbeat(String nodeId, int load, Instant at);

    Optional<NodeRecord> node(String nodeId);

    /** Every registered node, ordered by id. */
    List<NodeRecord> nodes();

    /** Nodes whose last heartbeat is at or after {@code since}, least loaded (most headroom) first. */
    List<NodeRecord> liveNodes(Instant since);

    /**
     * Removes the node and frees its room claims and session slots (a clean shutdown). Returns false if it was not
     * registered.
     */
    boolean deregister(String nodeId);

    /**
     * Removes every node whose last heartbeat is before {@code heartbeatBefore}, freeing their room claims and
     * session slots, in one transaction. Returns the ids of the removed nodes.
     */
    List<String> expire(Instant heartbeatBefore);
}
