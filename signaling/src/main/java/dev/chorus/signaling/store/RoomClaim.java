package dev.chorus.signaling.store;

import java.time.Instant;

/** Which node hosts a live room: the room's media and signaling live on exactly that node. */
public record RoomClaim(String projectId, String roomId, String nodeId, Instant claimedAt) {
}
