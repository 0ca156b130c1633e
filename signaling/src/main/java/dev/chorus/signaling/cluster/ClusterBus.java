package dev.chorus.signaling.cluster;

import java.util.function.Consumer;

/**
 * Carries {@link ClusterEvent}s between the nodes of a cluster, at most once: a message published while the bus
 * is down, or while a node is disconnected from it, is lost. Nodes therefore resynchronise from the store
 * ({@link StoreResync}) whenever their subscription is (re-)established and periodically while it is down.
 */
public interface ClusterBus extends AutoCloseable {

    /** What a node hears from the bus; called on the bus's own thread, must hand work off quickly. */
    interface Listener {
        void received(ClusterEvent event);

        /** The subscription is (again) in place: messages published from now on arrive. */
        default void connected() {
        }

        /** The subscription was lost: messages published from now on may be lost until {@link #connected()}. */
        default void disconnected() {
        }
    }

    /** Starts listening. Returns once the subscription is in place, or throws if the bus cannot be reached. */
    void subscribe(Listener listener);

    /**
     * Publishes an event to every other node. Does not block longer than the bus's command timeout; returns false
     * (and logs nothing: the caller counts) if the bus did not take it.
     */
    boolean publish(ClusterEvent event);

    /** Whether the subscription is in place now. */
    boolean connected();

    /** Short name for logs and metrics ({@code redis}, {@code postgres}). */
    String kind();

    @Override
    void close();
}
