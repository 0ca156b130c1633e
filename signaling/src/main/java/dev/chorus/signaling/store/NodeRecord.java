package dev.chorus.signaling.store;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * One Chorus node of a cluster as registered in the shared store.
 *
 * @param nodeId       unique per running node (chosen by the node)
 * @param publicUrl    where clients reach the node's signaling (a redirect target)
 * @param mediaAddress the node's announced media address ({@code host:port})
 * @param capacity     how many participants the node accepts
 * @param load         how many participants it hosts now
 * @param heartbeatAt  the node's last heartbeat
 */
public record NodeRecord(String nodeId, URI publicUrl, String mediaAddress, int capacity, int load,
                         Instant heartbeatAt) {
    public NodeRecord {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(mediaAddress, "mediaAddress");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
        if (capacity < 0 || load < 0) {
            throw new IllegalArgumentException("capacity and load must not be negative");
        }
    }

    /** Free places (capacity minus load, never negative). */
    public int headroom() {
        return Math.max(0, capacity - load);
    }
}
