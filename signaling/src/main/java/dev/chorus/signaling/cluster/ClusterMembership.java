package dev.chorus.signaling.cluster;

import dev.chorus.signaling.store.NodeRecord;
import dev.chorus.signaling.store.NodeRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the shared node registry: registered at start with its public URL, media address and
 * capacity, heartbeated every {@code heartbeat} with its current load, and deregistered on a clean stop. Every
 * heartbeat also expires the nodes silent for longer than {@code timeout} (any live node may do it; it is one
 * idempotent statement), which frees their room claims and session slots: a killed node's rooms are placeable
 * again at most {@code timeout + heartbeat} after its last heartbeat. A node that finds itself expired (it was
 * paused longer than the timeout) registers again. After this node could not reach the store, it expires no one for
 * one timeout (the others' heartbeats failed during the same outage), so a database outage frees no live node's
 * rooms; a node that died during it is expired at most {@code timeout} later than otherwise.
 */
public final class ClusterMembership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

    private final NodeRegistry registry;
    private final String nodeId;
    private final URI publicUrl;
    private final String mediaAddress;
    private final int capacity;
    private final IntSupplier load;
    private final Clock clock;
    private final Duration timeout;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    /**
     * No expiry before this instant: set one timeout after this node reaches the store again following a failure.
     * Only the heartbeat thread touches it.
     */
    private java.time.Instant expireNotBefore = java.time.Instant.MIN;
    private ScheduledExecutorService timer;

    public ClusterMembership(NodeRegistry registry, String nodeId, URI publicUrl, String mediaAddress, int capacity,
                             IntSupplier load, Clock clock, Duration timeout) {
        this.registry = registry;
        this.nodeId = nodeId;
        this.publicUrl = publicUrl;
        this.mediaAddress = mediaAddress;
        this.capacity = capacity;
        this.load = load;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Registers (throws if the store is unreachable at start) and starts heartbeating. */
    public ClusterMembership start(Duration heartbeat) {
        register();
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chorus-heartbeat").factory());
        timer.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        log.info("event=cluster_node_registered node={} url={} capacity={}", nodeId, publicUrl, capacity);
        return this;
    }

    public String nodeId() {
        return nodeId;
    }

    private void register() {
        registry.register(new NodeRecord(nodeId, publicUrl, mediaAddress, capacity, Math.max(0, load.getAsInt()),
                clock.instant()));
    }

    /** One heartbeat round (the timer calls it; tests may too). */
    public void beat() {
        try {
            if (!registry.heartbeat(nodeId, Math.max(0, load.getAsInt()), clock.instant())) {
                log.warn("event=cluster_node_reregistered node={} cause=\"expired by the other nodes (heartbeat "
                        + "older than {})\"", nodeId, timeout);
                register();
            }
            java.time.Instant now = clock.instant();
            if (failureLogged.getAndSet(false)) {
                // The store was unreachable for this node too, so the other nodes' heartbeats are as old as the
                // outage: after a shared database outage longer than the timeout, expiring now would free every live
                // node's rooms (and a later joiner could be placed elsewhere: a split room). Give every node one
                // timeout to heartbeat again first; a node that died meanwhile is expired after it.
                expireNotBefore = now.plus(timeout);
                log.info("event=cluster_heartbeat_recovered node={} expiry_resumes_in={}", nodeId, timeout);
            }
            if (!now.isBefore(expireNotBefore)) {
                List<String> expired = registry.expire(now.minus(timeout));
                for (String n : expired) log.warn("event=cluster_node_expired node={} effect=\"its rooms are free\"", n);
            }
        } catch (RuntimeException e) {
            if (!failureLogged.getAndSet(true)) {
                log.warn("event=cluster_heartbeat_failed node={} cause={}", nodeId, e.toString());
            }
        }
    }

    /** Stops heartbeating without deregistering (what a crash looks like to the others; tests). */
    public void stopHeartbeat() {
        if (timer != null) timer.shutdownNow();
    }

    @Override
    public void close() {
        stopHeartbeat();
        try {
            registry.deregister(nodeId);
        } catch (RuntimeException e) {
            log.warn("event=cluster_deregister_failed node={} cause={}", nodeId, e.toString());
        }
    }
}
