package dev.chorus.signaling.audit;

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

    /** The anchor in the store (deferred while the store is unreachable: {@link StoreAuditAnchor}). */
    static AuditAnchor in(Store store, Clock clock) {
        return new StoreAuditAnchor(store, clock);
    }

}
