package dev.chorus.signaling.audit;

import dev.chorus.signaling.store.AuditHead;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit anchor kept in the store. An unreachable store must not stop what is audited (live calls keep
 * publishing, muting, ending) nor hold the audit lock for the pool's timeout on every line: while the store is
 * unavailable the newest head is kept here and written by the first append after a short pause. The anchor only
 * lags then (truncation below the anchored id is still detected); it is never ahead of the log.
 */
final class StoreAuditAnchor implements AuditAnchor {
    private static final Logger log = LoggerFactory.getLogger(StoreAuditAnchor.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final Store store;
    private final Clock clock;
    private final String chain;
    private AuditHead pending;
    private Instant retryAt = Instant.MIN;

    StoreAuditAnchor(Store store, Clock clock, String chain) {
        this.store = store;
        this.clock = clock;
        this.chain = chain;
    }

    @Override
    public Optional<AuditHead> head() {
        return store.auditHead(chain);
    }

    /** Called under the audit log's lock. */
    @Override
    public void advance(AuditHead head) {
        Instant now = clock.instant();
        if (pending != null && now.isBefore(retryAt)) {
            pending = head; // the store was down a moment ago: do not wait for it on every line
            return;
        }
        try {
            store.putAuditHead(chain, head, now);
            if (pending != null) {
                log.warn("event=audit_anchor_resumed anchored_id={}", head.lastId());
                pending = null;
            }
        } catch (StoreException.Unavailable e) {
            if (pending == null) {
                log.error("event=audit_anchor_deferred id={} cause={} (the store is unreachable; the anchor catches up"
                        + " when it is back)", head.lastId(), e.getMessage());
            }
            pending = head;
            retryAt = now.plus(RETRY_AFTER);
        }
    }
}
