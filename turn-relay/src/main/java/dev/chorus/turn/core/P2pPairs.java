package dev.chorus.turn.core;

import dev.chorus.turn.auth.RestUsername;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer policy of private peer-to-peer rooms (docs/p2p.md): an allocation made with the credential of a p2p
 * session (an opaque id the server {@linkplain #mark marked}) reaches exactly the relayed transport addresses of
 * the allocations of the one session it is {@linkplain #pair paired} with, and accepts datagrams only from them;
 * nothing else, whatever the general {@code RelayPeerPolicy} allows (the SFU's media addresses included). A p2p
 * session that is not (or no longer) paired reaches nobody.
 *
 * <p>Owned by the core's thread. The partner's relay addresses are copied into each allocation
 * ({@link Allocation#p2pPeers}) whenever a pairing or a partner allocation changes, so the per-packet check scans a
 * small array without allocating or looking anything up.
 */
final class P2pPairs {
    private static final InetSocketAddress[] NONE = new InetSocketAddress[0];
    /** p2p opaque id → partner opaque id ("" while alone). */
    private final Map<String, String> partner = new HashMap<>();
    /** p2p opaque id → its live allocations. */
    private final Map<String, List<Allocation>> allocations = new HashMap<>();

    /** Credentials with this opaque id belong to a p2p session: its allocations reach only its partner. */
    void mark(String id) {
        partner.putIfAbsent(id, "");
    }

    /** The two sessions of a p2p room: each one's allocations reach the other's relayed addresses. */
    void pair(String a, String b) {
        String oldA = partner.get(a);
        String oldB = partner.get(b);
        partner.put(a, b);
        partner.put(b, a);
        if (oldA != null && !oldA.isEmpty() && !oldA.equals(b)) unlink(oldA);
        if (oldB != null && !oldB.isEmpty() && !oldB.equals(a)) unlink(oldB);
        refresh(a);
        refresh(b);
    }

    /** The session left its room (or was revoked): it is forgotten and its partner reaches nobody any more. */
    void end(String id) {
        String p = partner.remove(id);
        List<Allocation> own = allocations.remove(id);
        if (own != null) for (Allocation x : own) x.p2pPeers = NONE;
        if (p != null && !p.isEmpty()) unlink(p);
    }

    private void unlink(String id) {
        if (partner.containsKey(id)) {
            partner.put(id, "");
            refresh(id);
        }
    }

    int sessions() {
        return partner.size();
    }

    /** A new allocation: a p2p session's gets its partner's addresses, and the partner learns the new one. */
    void added(Allocation a) {
        String id = RestUsername.opaqueId(a.username);
        String p = partner.get(id);
        if (p == null) return;
        a.p2p = true;
        allocations.computeIfAbsent(id, k -> new ArrayList<>(2)).add(a);
        a.p2pPeers = relaysOf(p);
        if (!p.isEmpty()) refresh(p);
    }

    void removed(Allocation a) {
        if (!a.p2p) return;
        String id = RestUsername.opaqueId(a.username);
        List<Allocation> own = allocations.get(id);
        if (own == null) return;
        own.remove(a);
        if (own.isEmpty()) allocations.remove(id);
        String p = partner.get(id);
        if (p != null && !p.isEmpty()) refresh(p);
    }

    private void refresh(String id) {
        List<Allocation> own = allocations.get(id);
        if (own == null) return;
        InetSocketAddress[] peers = relaysOf(partner.getOrDefault(id, ""));
        for (Allocation x : own) x.p2pPeers = peers;
    }

    private InetSocketAddress[] relaysOf(String id) {
        if (id.isEmpty()) return NONE;
        List<Allocation> list = allocations.get(id);
        if (list == null || list.isEmpty()) return NONE;
        InetSocketAddress[] out = new InetSocketAddress[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).relayAddress;
        return out;
    }

    /** True if {@code a} (a p2p allocation) may talk to {@code ip}:{@code port} ({@code port} -1: any port). */
    static boolean allows(Allocation a, InetAddress ip, int port) {
        InetSocketAddress[] peers = a.p2pPeers;
        for (InetSocketAddress p : peers) {
            if (p.getAddress().equals(ip) && (port < 0 || p.getPort() == port)) return true;
        }
        return false;
    }
}
