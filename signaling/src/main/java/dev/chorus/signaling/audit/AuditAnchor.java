package dev.chorus.signaling.audit;

import dev.chorus.signaling.store.AuditAnchorRepository;
import dev.chorus.signaling.store.AuditHead;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.Optional;

/**
 * Where the audit chain's head is kept outside the log file, so that deleting lines at the end, or putting back an
 * older copy of the file, is detected: the log must reach the anchored id with the anchored hash. The control
 * plane anchors in its store; {@link #NONE} keeps no anchor (tests of the chain alone).
 */
public interface AuditAnchor {
    Optional<AuditHead> head();

    /** Records the new head; called after the line is forced to disk, so the log is never behind its anchor. */
    void advance(AuditHead head);

    AuditAnchor NONE = new AuditAnchor() {
        @Override
        public Optional<AuditHead> head() {
            return Optional.empty();
        }

        @Override
        public void advance(AuditHead head) {
        }
    };

    /** The default chain's anchor in the store (deferred while the store is unreachable: {@link StoreAuditAnchor}). */
    static AuditAnchor in(Store store, Clock clock) {
        return in(store, clock, AuditAnchorRepository.DEFAULT_CHAIN);
    }

    /** The anchor of one node's chain in a shared store (each node of a cluster anchors its own chain). */
    static AuditAnchor in(Store store, Clock clock, String chain) {
        return new StoreAuditAnchor(store, clock, chain);
    }

}
