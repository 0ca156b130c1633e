package dev.chorus.signaling.store;

import java.time.Instant;
import java.util.Optional;

/** The audit trail's head, anchored outside the log file so a cut or rolled-back log is detected. */
public interface AuditAnchorRepository {

    /** The audit trail's anchored head (id and hash of its last acknowledged line), or empty before the first. */
    Optional<AuditHead> auditHead();

    /** Moves the anchored head forward; called after each audit line is on disk. */
    void putAuditHead(AuditHead head, Instant at);
}
