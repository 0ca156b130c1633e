package dev.chorus.signaling.store;

/**
 * Cluster-wide session counting for limits that must hold across nodes ({@code maxSessions} per identity, one
 * session per token): a session takes a slot under a key (the caller chooses: an identity, a token id) and gives it
 * back when it ends. Taking a slot is atomic across nodes: with a limit of n, concurrent attempts never hold more
 * than n slots. Slots of a node that dies are freed when {@link NodeRegistry#expire} removes it.
 */
public interface SessionSlots {

    /**
     * Takes a slot for {@code sessionId} under ({@code projectId}, {@code key}) if fewer than {@code max} slots are
     * held there. Taking the slot a session already holds succeeds and changes nothing.
     *
     * @return true if the session holds a slot now, false if the limit was reached
     */
    boolean acquire(String projectId, String key, String sessionId, String nodeId, int max);

    /** Gives the session's slot back; false if it held none. */
    boolean release(String projectId, String key, String sessionId);

    /** How many slots are held under the key. */
    int held(String projectId, String key);
}
