package dev.chorus.signaling.audit;

import java.util.Locale;

public enum AuditOutcome {
    SUCCESS,
    REFUSED,
    /** The system failed (not the caller): e.g. the store was unavailable. */
    ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
