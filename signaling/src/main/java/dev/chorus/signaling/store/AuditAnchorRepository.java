package dev.chorus.signaling.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The audit trails' heads, anchored outside the log files so a cut or rolled-back log is detected. Each node of a
 * cluster keeps its own chain (no global lock) and anchors it under its own chain id; a single node uses the
 * default chain {@code ""}.
 */
public interface AuditAnchorRepository {

    /** The default chain's id (a single node's). */
    String DEFAULT_CHAIN = "";

    /** The chain's anchored head (id and hash of its last acknowledged line), or empty before the first. */
    Optional<AuditHead> auditHead(String chain);

    /** Every chain's anchored head by chain id (a cluster's nodes; {@link #DEFAULT_CHAIN} for a single node). */
    java.util.Map<String, AuditHead> auditHeads();

    /** Moves the chain's anchored head; called after each audit line is on disk. */
    void putAuditHead(String chain, AuditHead head, Instant at);

    /** The default chain's anchored head. */
    default Optional<AuditHead> auditHead() {
        return auditHead(DEFAULT_CHAIN);
    }

    /** Moves the default chain's anchored head. */
    default void putAuditHead(AuditHead head, Instant at) {
        putAuditHead(DEFAULT_CHAIN, head, at);
    }
}
