package dev.chorus.turn.core;

import dev.chorus.common.rate.TokenBucket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One TURN allocation (RFC 8656 §2.2): the client 5-tuple, its relayed address, lifetime, permissions and channel
 * bindings. Owned by the core's thread. Permissions and channels live in small parallel arrays (bounded by the
 * quotas) so the per-packet lookups scan a few entries without allocating; expiry is checked at use and the
 * arrays are compacted by {@link #prune}.
 */
public final class Allocation {
    final ClientKey client;
    final String username;
    final long credentialExpiryMillis;
    InetSocketAddress relayAddress;  // set once, while the relay socket is being bound
    Object relay;
    final TokenBucket toPeerBandwidth;
    final TokenBucket toClientBandwidth;
    long expiresAtMillis;
    byte[] allocateTransactionId;
    int grantedLifetimeSeconds;
    long reservationToken;  // non-zero when this Allocate reserved the next port (answered on retransmission too)

    final InetAddress[] permAddress;
    final long[] permExpiry;
    int permCount;

    final int[] chanNumber;
    final InetSocketAddress[] chanPeer;
    final long[] chanExpiry;
    int chanCount;

    long packetsToPeer, bytesToPeer, packetsToClient, bytesToClient, dropped;

    /** Made with a p2p session's credential: reaches only {@link #p2pPeers} ({@link P2pPairs}). */
    boolean p2p;
    /** The partner session's relayed addresses (p2p allocations only; replaced whole, never mutated). */
    InetSocketAddress[] p2pPeers = new InetSocketAddress[0];

    Allocation(ClientKey client, String username, long credentialExpiryMillis,
               int maxPermissions, int maxChannels, long bytesPerSecond, long burst, long nowMillis) {
        this.client = client;
        this.username = username;
        this.credentialExpiryMillis = credentialExpiryMillis;
        this.permAddress = new InetAddress[maxPermissions];
        this.permExpiry = new long[maxPermissions];
        this.chanNumber = new int[maxChannels];
        this.chanPeer = new InetSocketAddress[maxChannels];
        this.chanExpiry = new long[maxChannels];
        this.toPeerBandwidth = new TokenBucket(bytesPerSecond, burst, TurnCore.nanos(nowMillis));
        this.toClientBandwidth = new TokenBucket(bytesPerSecond, burst, TurnCore.nanos(nowMillis));
    }

    public ClientKey client() {
        return client;
    }

    public String username() {
        return username;
    }

    public InetSocketAddress relayAddress() {
        return relayAddress;
    }

    /** 4 for an IPv4 relay, 16 for an IPv6 relay: the only peer family it reaches (443 otherwise). */
    int familyBytes() {
        return relayAddress.getAddress().getAddress().length;
    }

    public Object relay() {
        return relay;
    }

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /** True if a live permission covers {@code peer}'s IP address. */
    boolean permitted(InetAddress peer, long now) {
        for (int i = 0; i < permCount; i++) {
            if (permExpiry[i] > now && permAddress[i].equals(peer)) return true;
        }
        return false;
    }

    int permissionIndex(InetAddress peer) {
        for (int i = 0; i < permCount; i++) if (permAddress[i].equals(peer)) return i;
        return -1;
    }

    /** The peer bound to {@code channel}, or null. */
    InetSocketAddress channelPeer(int channel, long now) {
        for (int i = 0; i < chanCount; i++) {
            if (chanNumber[i] == channel) return chanExpiry[i] > now ? chanPeer[i] : null;
        }
        return null;
    }

    /** The channel bound to {@code peer}, or -1. */
    int channelFor(InetSocketAddress peer, long now) {
        for (int i = 0; i < chanCount; i++) {
            if (chanExpiry[i] > now && chanPeer[i].equals(peer)) return chanNumber[i];
        }
        return -1;
    }

    int channelIndexByNumber(int channel) {
        for (int i = 0; i < chanCount; i++) if (chanNumber[i] == channel) return i;
        return -1;
    }

    int channelIndexByPeer(InetSocketAddress peer) {
        for (int i = 0; i < chanCount; i++) if (chanPeer[i].equals(peer)) return i;
        return -1;
    }

    /**
     * Drops expired permissions and channels. A channel stays reserved for 5 minutes after it expires (RFC 8656
     * §12: it cannot be rebound to another peer meanwhile), so channels are dropped {@code 300 s} after expiry.
     */
    void prune(long now) {
        int w = 0;
        for (int i = 0; i < permCount; i++) {
            if (permExpiry[i] > now) {
                permAddress[w] = permAddress[i];
                permExpiry[w++] = permExpiry[i];
            }
        }
        for (int i = w; i < permCount; i++) permAddress[i] = null;
        permCount = w;
        w = 0;
        for (int i = 0; i < chanCount; i++) {
            if (chanExpiry[i] + 300_000 > now) {
                chanNumber[w] = chanNumber[i];
                chanPeer[w] = chanPeer[i];
                chanExpiry[w++] = chanExpiry[i];
            }
        }
        for (int i = w; i < chanCount; i++) chanPeer[i] = null;
        chanCount = w;
    }

    @Override
    public String toString() {
        return "Allocation[" + client + " relay=" + relayAddress + "]";  // no credentials
    }
}
