package dev.chorus.signaling.project;

public enum RoomState {
    OPEN,
    CLOSED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
