package dev.chorus.signaling.project;

/** Lifecycle of a project key. Transitions only go forward: active → retiring → revoked (or active → revoked). */
public enum KeyState {
    /** Verifies and may sign (mint). */
    ACTIVE,
    /** Verifies tokens it already signed, cannot mint new ones (rotation overlap). */
    RETIRING,
    /** Nothing it signed verifies any more. */
    REVOKED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean canVerify() {
        return this != REVOKED;
    }

    public boolean canSign() {
        return this == ACTIVE;
    }
}
