package dev.chorus.signaling.cluster;

import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.ws.ParticipantSession;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this node's live sessions back in line with the shared store when bus messages may have been lost: for
 * every session it re-checks what the join checked (key state, jti deny-list, subject watermark, room open) and
 * fires the same {@link ProjectEvents} callback a bus message would have, so enforcement has one implementation.
 * A full resync also re-evaluates the rights of every project with sessions here (ACL, overrides, policy).
 *
 * <p>Runs fully each time the bus subscription is (re-)established, and its revocation part every
 * {@code interval} while the bus is down: a revocation made during a bus outage is enforced within that interval
 * (docs/cluster.md). A store that is unreachable skips the round; the next one catches up.
 */
public final class StoreResync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreResync.class);

    private final Store store;
    private final ParticipantRegistry registry;
    private final ProjectEvents local;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private ScheduledExecutorService timer;

    public StoreResync(Store store, ParticipantRegistry registry, ProjectEvents local) {
        this.store = store;
        this.registry = registry;
        this.local = local;
    }

    /** Sweeps revocations every {@code interval} while {@code busUp} says the bus is down. */
    public StoreResync startSweeping(Duration interval, BooleanSupplier busUp) {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chorus-resync").factory());
        timer.scheduleWithFixedDelay(() -> {
            if (!busUp.getAsBoolean()) resync(false);
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One pass over the live sessions. Returns how many sessions were found revoked (and closed), or -1 when the
     * store could not be read.
     *
     * @param rights also re-evaluate rights of every project with live sessions (after a bus outage)
     */
    public int resync(boolean rights) {
        try {
            int revoked = 0;
            Set<String> projects = new LinkedHashSet<>();
            for (ParticipantSession s : registry.all()) {
                if (!s.isOpen()) continue;
                projects.add(s.projectId());
                if (revokedInStore(s)) revoked++;
            }
            if (rights) for (String p : projects) local.accessPolicyChanged(p);
            if (failureLogged.getAndSet(false)) log.info("event=cluster_resync_recovered");
            return revoked;
        } catch (RuntimeException e) {
            if (!failureLogged.getAndSet(true)) {
                log.warn("event=cluster_resync_failed cause={} effect=\"retried on the next round\"", e.toString());
            }
            return -1;
        }
    }

    private boolean revokedInStore(ParticipantSession s) {
        String p = s.projectId();
        Optional<ProjectKey> key = store.key(s.keyId());
        if (key.isEmpty() || !key.get().state().canVerify() || !p.equals(key.get().projectId())) {
            local.keyRevoked(p, s.keyId());
            return true;
        }
        if (s.tokenId() != null && store.isTokenRevoked(p, s.tokenId())) {
            local.tokenRevoked(p, s.tokenId());
            return true;
        }
        Optional<Instant> mark = store.subjectWatermark(p, s.identity());
        if (mark.isPresent() && (s.issuedAt() == null || !s.issuedAt().isAfter(mark.get()))) {
            local.subjectRevoked(p, s.identity(), mark.get());
            return true;
        }
        Optional<Room> room = store.room(p, s.room());
        if (room.isPresent() && !room.get().isOpen()) {
            local.roomClosed(p, s.room());
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }
}
