package dev.chorus.signaling.cluster;

import dev.chorus.signaling.project.ProjectEvents;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node's {@link ProjectEvents} cluster-wide. A change made on this node is applied to its own sessions
 * first (as on a single node), then published; an event from another node is applied to this node's sessions. The
 * bus callback only queues: applying reads the store (rights re-evaluation), so it runs on a virtual thread, one
 * event after the other in arrival order.
 *
 * <p>Install with {@code control.events(relay)} after the local listener exists ({@link #local}).
 */
public final class ClusterEventRelay implements ProjectEvents, ClusterBus.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterEventRelay.class);

    private final String nodeId;
    private final ClusterBus bus;
    private final ProjectEvents local;
    private final Runnable onConnected;
    private final ExecutorService inbound = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("chorus-cluster-inbound").factory());
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailed = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    /**
     * @param local       the node's own listener (closes and re-evaluates its sessions)
     * @param onConnected run (on the inbound thread) each time the bus subscription is in place again: the resync
     */
    public ClusterEventRelay(String nodeId, ClusterBus bus, ProjectEvents local, Runnable onConnected) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.local = local;
        this.onConnected = onConnected;
    }

    /** Subscribes to the bus (throws if it cannot be reached at start). */
    public ClusterEventRelay start() {
        bus.subscribe(this);
        return this;
    }

    public ProjectEvents local() {
        return local;
    }

    public long published() { return published.get(); }
    public long publishFailed() { return publishFailed.get(); }
    public long received() { return received.get(); }

    // ---- this node's changes: apply here, then tell the others

    private void fire(ClusterEvent e) {
        e.applyTo(local);
        if (bus.publish(e)) {
            published.incrementAndGet();
        } else {
            publishFailed.incrementAndGet(); // the write is durable: other nodes pick it up in their resync
        }
    }

    @Override public void keyRevoked(String p, String kid) { fire(event(ClusterEvent.Type.keyRevoked, p, kid, null, null)); }
    @Override public void tokenRevoked(String p, String jti) { fire(event(ClusterEvent.Type.tokenRevoked, p, jti, null, null)); }
    @Override public void subjectRevoked(String p, String s, Instant t) { fire(event(ClusterEvent.Type.subjectRevoked, p, s, null, t)); }
    @Override public void roomClosed(String p, String r) { fire(event(ClusterEvent.Type.roomClosed, p, r, null, null)); }
    @Override public void aclChanged(String p, String s, String pub) { fire(event(ClusterEvent.Type.aclChanged, p, s, pub, null)); }
    @Override public void permissionsChanged(String p, String r, String i) { fire(event(ClusterEvent.Type.permissionsChanged, p, r, i, null)); }
    @Override public void accessPolicyChanged(String p) { fire(event(ClusterEvent.Type.accessPolicyChanged, p, null, null, null)); }

    private ClusterEvent event(ClusterEvent.Type type, String p, String a, String b, Instant at) {
        return new ClusterEvent(nodeId, type, p, a, b, at);
    }

    // ---- other nodes' changes

    @Override
    public void received(ClusterEvent event) {
        if (nodeId.equals(event.origin())) return; // applied locally when it was made
        received.incrementAndGet();
        inbound.execute(() -> {
            try {
                event.applyTo(local);
            } catch (RuntimeException e) {
                log.warn("event=cluster_event_apply_failed type={} error={}", event.type(), e.toString());
            }
        });
    }

    @Override
    public void connected() {
        inbound.execute(() -> {
            try {
                onConnected.run();
            } catch (RuntimeException e) {
                log.warn("event=cluster_resync_failed error={}", e.toString());
            }
        });
    }

    @Override
    public void close() {
        inbound.shutdownNow();
    }
}
