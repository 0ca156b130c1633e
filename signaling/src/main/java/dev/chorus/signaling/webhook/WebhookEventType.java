package dev.chorus.signaling.webhook;

import java.util.Arrays;
import java.util.Optional;

/** The events a project's endpoints can receive; the wire names are stable (receivers switch on them). */
public enum WebhookEventType {
    ROOM_STARTED("room.started"),
    ROOM_FINISHED("room.finished"),
    PARTICIPANT_JOINED("participant.joined"),
    PARTICIPANT_LEFT("participant.left"),
    TRACK_PUBLISHED("track.published"),
    TRACK_UNPUBLISHED("track.unpublished"),
    PERMISSION_CHANGED("permission.changed"),
    REVOCATION_APPLIED("revocation.applied"),
    JOIN_REFUSED("join.refused");

    private final String wire;

    WebhookEventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<WebhookEventType> fromWire(String s) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(s)).findFirst();
    }
}
