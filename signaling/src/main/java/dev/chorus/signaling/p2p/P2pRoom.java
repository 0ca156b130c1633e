package dev.chorus.signaling.p2p;

import java.util.ArrayList;
import java.util.List;

/** A private peer-to-peer room: at most two peers (fewer when the project's room limit is lower). */
final class P2pRoom {
    static final int MAX_PEERS = 2;
    final String projectId;
    final String roomId;
    private final List<P2pPeer> peers = new ArrayList<>(MAX_PEERS);

    P2pRoom(String projectId, String roomId) {
        this.projectId = projectId;
        this.roomId = roomId;
    }

    synchronized boolean tryAdd(P2pPeer p, int projectMax) {
        if (peers.size() >= Math.min(MAX_PEERS, projectMax)) return false;
        peers.add(p);
        return true;
    }

    /** Removes {@code p}; true if the room is now empty. */
    synchronized boolean remove(P2pPeer p) {
        peers.remove(p);
        return peers.isEmpty();
    }

    /** The other peer of {@code p}, or null. */
    synchronized P2pPeer other(P2pPeer p) {
        for (P2pPeer x : peers) if (x != p) return x;
        return null;
    }

    synchronized int size() {
        return peers.size();
    }
}
