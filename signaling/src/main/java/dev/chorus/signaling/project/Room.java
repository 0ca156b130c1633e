package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.Objects;

/** A room (call) record. For now only its lifecycle; the media plane owns what happens inside. */
public record Room(String projectId, String roomId, RoomState state, Instant createdAt, Instant closedAt) {
    public Room {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public static Room open(String projectId, String roomId, Instant now) {
        return new Room(projectId, roomId, RoomState.OPEN, now, null);
    }

    public boolean isOpen() {
        return state == RoomState.OPEN;
    }
}
