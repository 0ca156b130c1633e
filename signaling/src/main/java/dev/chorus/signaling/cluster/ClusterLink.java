package dev.chorus.signaling.cluster;

import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.live.LiveAuthorization;
import dev.chorus.signaling.ws.ParticipantRegistry;
import java.time.Duration;

/**
 * Joins one node's control plane to the cluster bus: the node's events go out on the bus, other nodes' events
 * come in, and the store resync runs on every (re)subscription and every {@code resyncInterval} while the bus is
 * down. Install after the control edge set the local listener; close before the control plane.
 */
public final class ClusterLink implements AutoCloseable {
    private final ClusterBus bus;
    private final ClusterEventRelay relay;
    private final StoreResync resync;

    private ClusterLink(ClusterBus bus, ClusterEventRelay relay, StoreResync resync) {
        this.bus = bus;
        this.relay = relay;
        this.resync = resync;
    }

    /**
     * @throws RuntimeException when the bus cannot be reached at start (a node does not start half-connected; the
     *                          bus closed again)
     */
    public static ClusterLink install(String nodeId, ClusterBus bus, ControlPlane control, ParticipantRegistry sessions,
                                      Duration resyncInterval) {
        StoreResync resync = new StoreResync(control.store(), sessions, control.events());
        // other nodes' changes drop this node's cached verification reads first, then reach its sessions
        var cache = control.verifier().cache();
        ClusterEventRelay relay = new ClusterEventRelay(nodeId, bus, LiveAuthorization.both(cache, control.events()),
                () -> resync.resync(true));
        try {
            relay.start();
        } catch (RuntimeException e) {
            relay.close();
            bus.close();
            throw e;
        }
        control.events(relay);
        cache.follow(bus::connected); // cached while every change arrives; read through while the bus is down
        resync.startSweeping(resyncInterval, bus::connected);
        return new ClusterLink(bus, relay, resync);
    }

    public ClusterBus bus() { return bus; }
    public ClusterEventRelay relay() { return relay; }
    public StoreResync resync() { return resync; }

    @Override
    public void close() {
        try {
            resync.close();
            relay.close();
        } finally {
            bus.close();
        }
    }
}
