package dev.chorus.media.ice;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded map local ufrag → {@link IceLiteAgent}. Only signaling adds entries (when it creates a transport);
 * STUN traffic can only look up, never create. Lookups are lock-free and allocation-free; registrations happen
 * on the signaling thread.
 */
public final class IceDirectory {
    private final ConcurrentHashMap<UfragKey, IceLiteAgent> agents;
    private final int capacity;
    private final AtomicInteger size = new AtomicInteger();

    /** A directory holding at most {@code capacity} transports. */
    public IceDirectory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity");
        }
        this.capacity = capacity;
        this.agents = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /**
     * Registers an agent under its local ufrag.
     *
     * @return false if the directory is full or the ufrag is already taken (the caller re-rolls credentials)
     */
    public boolean register(IceLiteAgent agent) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        if (agents.putIfAbsent(new UfragKey(agent.localUfragBytes()), agent) != null) {
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Creates an agent with fresh credentials (re-rolled on collision) and registers it, or returns null if full. */
    public IceLiteAgent create(String remoteUfrag, long nowNanos) {
        for (int attempt = 0; attempt < 8; attempt++) {
            IceLiteAgent agent = new IceLiteAgent(IceCredentials.generate(), remoteUfrag, nowNanos);
            if (register(agent)) {
                return agent;
            }
            if (size() >= capacity) {
                return null;
            }
        }
        return null;
    }

    /**
     * ICE restart of a registered agent: registers it under {@code local}'s ufrag, switches it to the new
     * generation and only then forgets the old ufrag, so a lookup always finds the agent under one of them. Its
     * transport, DTLS and SRTP state are untouched (RFC 8445 §9).
     *
     * <p>Only the peer restarted (its answer carries a new ufrag to an offer that kept ours): {@code local} is the
     * agent's own current ufrag, so the agent keeps its directory entry and only the remote ufrag changes. The
     * entry is its own, not "taken" (issue 16: this was refused, so every later answer of such a subscriber failed).
     *
     * @return false (nothing changed) if the new ufrag is already taken or the agent is not registered
     */
    public boolean restart(IceLiteAgent agent, IceCredentials local, String remoteUfrag) {
        UfragKey oldKey = new UfragKey(agent.localUfragBytes());
        if (agents.get(oldKey) != agent) {
            return false;
        }
        UfragKey newKey = new UfragKey(local.ufrag().getBytes(StandardCharsets.US_ASCII));
        if (newKey.equals(oldKey)) {
            agent.restart(local, remoteUfrag);
            return true;
        }
        if (agents.putIfAbsent(newKey, agent) != null) {
            return false;
        }
        try {
            agent.restart(local, remoteUfrag);
        } catch (IllegalArgumentException e) {
            agents.remove(newKey, agent);
            throw e;
        }
        agents.remove(oldKey, agent);
        return true;
    }

    /** Removes and closes the agent registered under {@code localUfrag}; returns it or null. */
    public IceLiteAgent remove(String localUfrag) {
        IceLiteAgent a = agents.remove(new UfragKey(localUfrag.getBytes(StandardCharsets.US_ASCII)));
        if (a != null) {
            size.decrementAndGet();
            a.close();
        }
        return a;
    }

    /** The agent for a ufrag, or null. */
    public IceLiteAgent get(String localUfrag) {
        return agents.get(new UfragKey(localUfrag.getBytes(StandardCharsets.US_ASCII)));
    }

    IceLiteAgent lookup(UfragKey probe) {
        return agents.get(probe);
    }

    /** Number of registered transports. */
    public int size() {
        return agents.size();
    }

    /** Maximum number of transports. */
    public int capacity() {
        return capacity;
    }

    /** All agents (for ticking from the owning thread). */
    public Iterable<IceLiteAgent> agents() {
        return agents.values();
    }
}
