package dev.chorus.signaling.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signaling side of one room on this node: who is in it (for the participant limit, presence messages and peer
 * policies). Thread-safe (small synchronized sections; never held while calling out).
 */
final class CallRoom {
    final String projectId;
    final String roomId;
    /** The SFU's room id: project and room, so two projects' rooms never meet. */
    final String sfuRoomId;
    private final Map<String, CallParticipant> members = new LinkedHashMap<>();
    /** Lock-free lookups for the SFU's subscribe policies, which run on room worker threads. */
    private final Map<String, CallParticipant> byId = new java.util.concurrent.ConcurrentHashMap<>();

    CallRoom(String projectId, String roomId) {
        this.projectId = projectId;
        this.roomId = roomId;
        this.sfuRoomId = projectId + "/" + roomId;
    }

    /** Adds {@code p} unless the room already has {@code max} participants (joining or joined). */
    synchronized boolean tryAdd(CallParticipant p, int max) {
        if (members.size() >= max) return false;
        members.put(p.id(), p);
        byId.put(p.id(), p);
        return true;
    }

    /** Removes {@code p}; true if the room is now empty. */
    synchronized boolean remove(CallParticipant p) {
        members.remove(p.id(), p);
        byId.remove(p.id(), p);
        return members.isEmpty();
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    /** Never blocks. */
    CallParticipant get(String participantId) {
        return byId.get(participantId);
    }

    /** Participants that completed their join (presence is announced only for them). */
    synchronized List<CallParticipant> live() {
        List<CallParticipant> out = new ArrayList<>();
        for (CallParticipant p : members.values()) if (p.isLive()) out.add(p);
        return out;
    }

    synchronized int size() {
        return members.size();
    }
}
