package dev.chorus.turn.core;

import static dev.chorus.stun.StunAttributes.*;
import static dev.chorus.stun.StunMessageType.*;

import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunWriter;
import dev.chorus.turn.alloc.ChannelData;
import dev.chorus.turn.alloc.RelayPortPool;
import dev.chorus.turn.auth.NonceService;
import dev.chorus.turn.auth.RestUsername;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.common.net.AddressForms;
import dev.chorus.common.rate.SourceRateLimiter;
import dev.chorus.turn.policy.RelayPeerPolicy;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The TURN server protocol (RFC 8656 over RFC 8489 long-term credentials), sans-IO: fed client packets, peer
 * packets and a clock ({@code nowMillis}, Unix milliseconds), it answers through {@link TurnIo}. One thread owns
 * an instance: no locks. Input buffers stay owned by the caller; nothing here throws on hostile input.
 *
 * <p>Never logs: payloads and passwords must not reach a log, and per-packet logging would be a DoS lever.
 * Everything refused is counted in {@link #refusals()}.
 */
public final class TurnCore {
    /** PASSWORD-ALGORITHMS value we offer: SHA-256 (preferred), MD5. */
    private static final byte[] OFFERED_ALGORITHMS = {0, 2, 0, 0, 0, 1, 0, 0};

    private final TurnSettings settings;
    private final SecretRing secrets;
    private final RelayPeerPolicy policy;
    private final TurnIo io;
    private final NonceService nonces;
    private final SourceRateLimiter unauthorizedLimiter;
    private final RelayPortPool ports;
    private final RandomGenerator random;
    private final StunMessage msg = new StunMessage(65_535 + 20, 64);
    private final StunWriter writer = new StunWriter();
    private final Map<ClientKey, Allocation> allocations = new HashMap<>();
    /** Open allocations per credential owner ({@link RestUsername#owner}: one identity, however many usernames). */
    private final Map<String, Integer> perUser = new HashMap<>();
    /** Revoked opaque ids (sessions) → when their last credential expires anyway (then forgotten). */
    private final Map<String, Long> revoked = new HashMap<>();
    /** Private peer-to-peer sessions and their pairing: their allocations reach only each other. */
    private final P2pPairs p2p = new P2pPairs();
    /** EVEN-PORT R-bit reservations: token → the reserved odd port, kept 30 s (RFC 8656 §7.2). */
    private final Map<Long, Reservation> reservations = new HashMap<>();
    private static final long RESERVATION_MILLIS = 30_000;

    private record Reservation(InetAddress address, int port, long expiresAtMillis) {}
    private final long[] refusals = new long[Refusal.values().length];
    private final int maxChannel;
    private final int[] unknownTypes = new int[8];
    private long now;  // the clock of the packet being handled (for the unauthenticated-answer budget)

    // relay counters, plain fields read by metrics gauges (single writer)
    private long packetsToPeer, bytesToPeer, packetsToClient, bytesToClient;
    private long allocationsCreated;

    public TurnCore(TurnSettings settings, SecretRing secrets, RelayPeerPolicy policy, TurnIo io, RandomGenerator random) {
        this.settings = settings;
        this.secrets = secrets;
        this.policy = policy;
        this.io = io;
        this.random = random;
        this.nonces = new NonceService(settings.nonceTtlSeconds() * 1000);
        this.unauthorizedLimiter = new SourceRateLimiter(settings.unauthorizedSlots(), settings.unauthorizedPerSecond(),
                settings.unauthorizedBurst());
        this.maxChannel = settings.legacyChannelRange() ? ChannelData.MAX_LEGACY_CHANNEL : ChannelData.MAX_CHANNEL;
        this.ports = new RelayPortPool(settings.relayPortMin(), settings.relayPortMax(), random);
    }

    // ------------------------------------------------------------------ client side

    /** One datagram (UDP) or one framed message (TCP/TLS) from a client. */
    public void onClientPacket(ClientKey key, ByteBuf buf, long now) {
        this.now = now;
        if (buf.readableBytes() < 4) {
            refuse(Refusal.MALFORMED);
            return;
        }
        int first = buf.getUnsignedByte(buf.readerIndex()) & 0xC0;
        if (first == 0x40) {
            onChannelData(key, buf, now);
        } else if (first == 0) {
            onStun(key, buf, now);
        } else {
            refuse(Refusal.MALFORMED);
        }
    }

    private void onChannelData(ClientKey key, ByteBuf buf, long now) {
        Allocation a = allocations.get(key);
        if (a == null) {
            refuse(Refusal.NO_ALLOCATION);
            return;
        }
        int len = ChannelData.dataLength(buf, maxChannel);
        if (len < 0) {
            a.dropped++;
            refuse(Refusal.MALFORMED);
            return;
        }
        int channel = buf.getUnsignedShort(buf.readerIndex());
        InetSocketAddress peer = a.channelPeer(channel, now);
        if (peer == null || !a.permitted(peer.getAddress(), now)
                || (a.p2p && !P2pPairs.allows(a, peer.getAddress(), peer.getPort()))) {
            a.dropped++;
            refuse(Refusal.NO_PERMISSION);
            return;
        }
        relayToPeer(a, peer, buf, buf.readerIndex() + ChannelData.HEADER, len, now);
    }

    private void relayToPeer(Allocation a, InetSocketAddress peer, ByteBuf buf, int index, int len, long now) {
        if (!a.toPeerBandwidth.tryTake(len, nanos(now))) {
            a.dropped++;
            refuse(Refusal.BANDWIDTH);
            return;
        }
        a.packetsToPeer++;
        a.bytesToPeer += len;
        packetsToPeer++;
        bytesToPeer += len;
        io.sendToPeer(a.relay, peer, buf.retainedSlice(index, len));
    }

    private void onStun(ClientKey key, ByteBuf buf, long now) {
        StunMessage m = msg;
        try {
            if (!m.wrap(buf).equals(dev.chorus.stun.StunParseStatus.OK)
                    || (m.fingerprintIndex() >= 0 && !StunIntegrity.verifyFingerprint(m))) {
                refuse(Refusal.MALFORMED);
                return;
            }
            int cls = m.messageClass();
            int method = m.method();
            if (cls == CLASS_INDICATION) {
                if (method == METHOD_SEND) onSend(key, m, now);
                else refuse(Refusal.MALFORMED);
                return;
            }
            if (cls != CLASS_REQUEST) {
                refuse(Refusal.MALFORMED);  // responses are never for us
                return;
            }
            int unknown = m.unknownComprehensionRequired(TurnCore::understood, unknownTypes);
            if (unknown > 0) {
                refuse(Refusal.UNKNOWN_ATTRIBUTE);
                if (!budget(key, now)) return;
                ByteBuf out = begin(type(method, CLASS_ERROR), m);
                writer.addErrorCode(420, "Unknown Attribute")
                        .addUnknownAttributes(java.util.Arrays.copyOf(unknownTypes, unknown));
                finish(key, out, null);
                return;
            }
            switch (method) {
                case METHOD_BINDING -> onBinding(key, m);
                case METHOD_ALLOCATE, METHOD_REFRESH, METHOD_CREATE_PERMISSION, METHOD_CHANNEL_BIND -> {
                    Auth auth = authenticate(key, m, now);
                    if (auth == null) return;
                    switch (method) {
                        case METHOD_ALLOCATE -> onAllocate(key, m, auth, now);
                        case METHOD_REFRESH -> onRefresh(key, m, auth, now);
                        case METHOD_CREATE_PERMISSION -> onCreatePermission(key, m, auth, now);
                        default -> onChannelBind(key, m, auth, now);
                    }
                }
                default -> error(key, m, null, 400, "Bad Request", Refusal.BAD_REQUEST);
            }
        } finally {
            m.clear();
        }
    }

    /** Comprehension-required attributes this server understands; others get 420 (RFC 8489 §7.3.1). */
    private static boolean understood(int t) {
        return switch (t) {
            case USERNAME, MESSAGE_INTEGRITY, MESSAGE_INTEGRITY_SHA256, REALM, NONCE, LIFETIME, XOR_PEER_ADDRESS,
                 DATA, REQUESTED_TRANSPORT, REQUESTED_ADDRESS_FAMILY, EVEN_PORT, DONT_FRAGMENT, CHANNEL_NUMBER,
                 PASSWORD_ALGORITHM, RESERVATION_TOKEN, XOR_MAPPED_ADDRESS, PRIORITY, USE_CANDIDATE, ERROR_CODE -> true;
            default -> false;
        };
    }

    private void onBinding(ClientKey key, StunMessage m) {
        if (!budget(key, now)) return;  // unauthenticated answer: budgeted like 401s
        ByteBuf out = begin(BINDING_SUCCESS, m);
        writer.addXorMappedAddress(key.client());
        finish(key, out, null);
    }

    // ------------------------------------------------------------------ authentication

    /** Who sent a request and how to sign our answer. */
    record Auth(String username, long credentialExpiryMillis, StunKey key, boolean sha256) {}

    /**
     * RFC 8489 §9.2.4 long-term credential check with TURN REST usernames. Returns null after answering (or
     * silently dropping, when the source is over its 401/438 budget).
     */
    private Auth authenticate(ClientKey key, StunMessage m, long now) {
        int mi = m.messageIntegrityIndex();
        int mi256 = m.messageIntegritySha256Index();
        if (mi < 0 && mi256 < 0) {
            challenge(key, m, 401, "Unauthorized", now);
            refuse(Refusal.UNAUTHORIZED);
            return null;
        }
        int iu = m.indexOf(USERNAME), ir = m.indexOf(REALM), in = m.indexOf(NONCE);
        if (iu < 0 || ir < 0 || in < 0) {
            badRequest(key, m);
            return null;
        }
        int algorithm = passwordAlgorithm(m);
        if (algorithm < 0) {
            badRequest(key, m);
            return null;
        }
        String nonce = m.string(in);
        if (!nonces.valid(nonce, now, key.transport(), key.client().getAddress(), key.client().getPort())) {
            challenge(key, m, 438, "Stale Nonce", now);
            refuse(Refusal.STALE_NONCE);
            return null;
        }
        String username = m.string(iu);
        String realm = m.string(ir);
        long expiry = RestUsername.expiry(username);
        long nowSeconds = now / 1000;
        boolean usable = expiry != RestUsername.MALFORMED && expiry > nowSeconds
                && expiry - nowSeconds <= settings.maxCredentialTtlSeconds() && realm.equals(settings.realm());
        if (usable) {
            boolean sha256 = mi256 >= 0;
            for (String password : secrets.candidatePasswords(username)) {
                StunKey k = algorithm == PASSWORD_ALGORITHM_SHA256
                        ? StunKey.longTermSha256(username, settings.realm(), password)
                        : StunKey.longTermMd5(username, settings.realm(), password);
                boolean ok = sha256 ? StunIntegrity.verifyMessageIntegritySha256(m, k) : StunIntegrity.verifyMessageIntegrity(m, k);
                if (!ok) continue;
                if (revoked.containsKey(RestUsername.opaqueId(username))) {  // a closed or revoked session
                    challenge(key, m, 401, "Unauthorized", now);
                    refuse(Refusal.REVOKED);
                    return null;
                }
                return new Auth(username, expiry * 1000, k, sha256);
            }
        }
        challenge(key, m, 401, "Unauthorized", now);
        refuse(Refusal.UNAUTHORIZED);
        return null;
    }

    /** MD5 unless the client chose from our PASSWORD-ALGORITHMS; -1 for a 400. */
    private static int passwordAlgorithm(StunMessage m) {
        int list = m.indexOf(PASSWORD_ALGORITHMS);
        int chosen = m.indexOf(PASSWORD_ALGORITHM);
        if (list < 0 && chosen < 0) return PASSWORD_ALGORITHM_MD5;
        if (list < 0 || chosen < 0 || !m.valueEquals(list, OFFERED_ALGORITHMS) || m.attributeLength(chosen) != 4) return -1;
        int alg = (int) (m.uint32(chosen) >>> 16);
        int paramLength = (int) (m.uint32(chosen) & 0xFFFF);
        if (paramLength != 0 || (alg != PASSWORD_ALGORITHM_MD5 && alg != PASSWORD_ALGORITHM_SHA256)) return -1;
        return alg;
    }

    private void challenge(ClientKey key, StunMessage m, int code, String reason, long now) {
        if (!budget(key, now)) return;
        ByteBuf out = begin(type(m.method(), CLASS_ERROR), m);
        writer.addErrorCode(code, reason)
                .addRealm(settings.realm())
                .addNonce(nonces.issue(now, key.transport(), key.client().getAddress(), key.client().getPort()))
                .addPasswordAlgorithms(PASSWORD_ALGORITHM_SHA256, PASSWORD_ALGORITHM_MD5);
        finish(key, out, null);
    }

    /** Unauthenticated answers are rate-limited per source address so spoofed floods cannot reflect off us. */
    private boolean budget(ClientKey key, long now) {
        if (unauthorizedLimiter.tryAcquire(key.client().getAddress().getAddress(), nanos(now))) return true;
        refuse(Refusal.RATE_LIMITED);
        return false;
    }

    // ------------------------------------------------------------------ Allocate / Refresh

    private void onAllocate(ClientKey key, StunMessage m, Auth auth, long now) {
        Allocation existing = allocations.get(key);
        if (existing != null) {
            if (existing.username.equals(auth.username()) && m.transactionIdEquals(existing.allocateTransactionId)) {
                allocateSuccess(key, m, auth, existing);  // retransmission: same answer (RFC 8656 §7.2)
            } else {
                error(key, m, auth, 437, "Allocation Mismatch", Refusal.ALLOCATION_MISMATCH);
            }
            return;
        }
        int rt = m.indexOf(REQUESTED_TRANSPORT);
        if (rt < 0) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        if (m.firstByte(rt) != TRANSPORT_UDP) {
            error(key, m, auth, 442, "Unsupported Transport Protocol", Refusal.UNSUPPORTED_TRANSPORT);
            return;
        }
        int raf = m.indexOf(REQUESTED_ADDRESS_FAMILY);
        InetAddress relayIp = settings.relayAddress();
        if (raf >= 0 && m.firstByte(raf) != 0x01) {
            if (m.firstByte(raf) != 0x02 || settings.relayAddressV6() == null) {
                error(key, m, auth, 440, "Address Family not Supported", Refusal.ADDRESS_FAMILY);
                return;
            }
            relayIp = settings.relayAddressV6();
        }
        int ep = m.indexOf(EVEN_PORT);
        int rt2 = m.indexOf(RESERVATION_TOKEN);
        if (ep >= 0 && rt2 >= 0) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        boolean even = ep >= 0;
        boolean reserveNext = even && (m.firstByte(ep) & 0x80) != 0;
        long token = rt2 >= 0 ? m.uint64(rt2) : 0;
        if (rt2 >= 0) {
            Reservation r = reservations.get(token);
            if (r == null || r.expiresAtMillis <= now || !r.address.equals(relayIp)) {  // unknown, expired, other family
                error(key, m, auth, 508, "Insufficient Capacity", Refusal.CAPACITY);
                return;
            }
        }
        if (perUser.getOrDefault(RestUsername.owner(auth.username()), 0) >= settings.maxAllocationsPerUser()) {
            error(key, m, auth, 486, "Allocation Quota Reached", Refusal.QUOTA);
            return;
        }
        if (allocations.size() >= settings.maxAllocations()) {
            error(key, m, auth, 508, "Insufficient Capacity", Refusal.CAPACITY);
            return;
        }
        int lifetime = lifetime(m, auth, now);
        Allocation a = new Allocation(key, auth.username(), auth.credentialExpiryMillis(), settings.maxPermissions(),
                settings.maxChannels(), settings.bandwidthBytesPerSecond(), settings.bandwidthBurstBytes(), now);
        long newToken = 0;
        if (rt2 >= 0) {
            int port = reservations.remove(token).port;
            a.relayAddress = new InetSocketAddress(relayIp, port);
            a.relay = io.openRelay(relayIp, port, a);
            if (a.relay == null) ports.release(port);
        } else {
            for (int attempt = 0; attempt < 8 && a.relay == null; attempt++) {
                int port = reserveNext ? ports.takeEvenPair() : ports.take(even);
                if (port < 0) break;
                a.relayAddress = new InetSocketAddress(relayIp, port);
                a.relay = io.openRelay(relayIp, port, a);
                // null: the port is taken by another process; it stays marked in the pool and we try another
                if (a.relay != null && reserveNext) {
                    do {
                        newToken = random.nextLong();
                    } while (newToken == 0 || reservations.containsKey(newToken));
                    reservations.put(newToken, new Reservation(relayIp, port + 1, now + RESERVATION_MILLIS));
                } else if (reserveNext) {
                    ports.release(port + 1);
                }
            }
        }
        if (a.relay == null) {
            error(key, m, auth, 508, "Insufficient Capacity", Refusal.CAPACITY);
            return;
        }
        a.reservationToken = newToken;
        a.expiresAtMillis = now + lifetime * 1000L;
        a.grantedLifetimeSeconds = lifetime;
        a.allocateTransactionId = m.transactionId();
        allocations.put(key, a);
        perUser.merge(RestUsername.owner(auth.username()), 1, Integer::sum);
        p2p.added(a);
        allocationsCreated++;
        allocateSuccess(key, m, auth, a);
    }

    private void allocateSuccess(ClientKey key, StunMessage m, Auth auth, Allocation a) {
        ByteBuf out = begin(type(METHOD_ALLOCATE, CLASS_SUCCESS), m);
        writer.addXorRelayedAddress(a.relayAddress).addLifetime(a.grantedLifetimeSeconds).addXorMappedAddress(key.client());
        if (a.reservationToken != 0) writer.addLong(RESERVATION_TOKEN, a.reservationToken);
        finish(key, out, auth);
    }

    /** RFC 8656 §7.2: clamp to [default, max], then never past the credential's expiry. */
    private int lifetime(StunMessage m, Auth auth, long now) {
        int li = m.indexOf(LIFETIME);
        long requested = li >= 0 ? m.uint32(li) : settings.defaultLifetimeSeconds();
        long life = Math.min(Math.max(requested, settings.defaultLifetimeSeconds()), settings.maxLifetimeSeconds());
        long credentialLeft = (auth.credentialExpiryMillis() - now) / 1000;
        return (int) Math.max(1, Math.min(life, credentialLeft));
    }

    private void onRefresh(ClientKey key, StunMessage m, Auth auth, long now) {
        Allocation a = allocations.get(key);
        if (a == null) {
            error(key, m, auth, 437, "Allocation Mismatch", Refusal.ALLOCATION_MISMATCH);
            return;
        }
        if (!a.username.equals(auth.username())) {
            error(key, m, auth, 441, "Wrong Credentials", Refusal.WRONG_CREDENTIALS);
            return;
        }
        int li = m.indexOf(LIFETIME);
        int lifetime;
        if (li >= 0 && m.uint32(li) == 0) {
            remove(a);
            lifetime = 0;
        } else {
            lifetime = lifetime(m, auth, now);
            // a refresh cannot outlive the credential the allocation was made with
            long end = Math.min(now + lifetime * 1000L, a.credentialExpiryMillis);
            a.expiresAtMillis = end;
            lifetime = (int) Math.max(1, (end - now) / 1000);
        }
        ByteBuf out = begin(type(METHOD_REFRESH, CLASS_SUCCESS), m);
        writer.addLifetime(lifetime);
        finish(key, out, auth);
    }

    // ------------------------------------------------------------------ permissions and channels

    /** The allocation for a request that needs one, after 437/441 checks; null if answered. */
    private Allocation owned(ClientKey key, StunMessage m, Auth auth) {
        Allocation a = allocations.get(key);
        if (a == null) {
            error(key, m, auth, 437, "Allocation Mismatch", Refusal.ALLOCATION_MISMATCH);
            return null;
        }
        if (!a.username.equals(auth.username())) {
            error(key, m, auth, 441, "Wrong Credentials", Refusal.WRONG_CREDENTIALS);
            return null;
        }
        return a;
    }

    /** Peer check result: the canonical peer, or null after answering with an error. */
    private InetSocketAddress checkedPeer(ClientKey key, StunMessage m, Auth auth, Allocation a, int i, boolean withPort) {
        byte[] raw = rawXorAddress(m, i);
        if (raw == null) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return null;
        }
        int port = m.xorPort(i);
        byte[] canonical = AddressForms.canonical(raw);
        boolean allowed = a.p2p  // a p2p session's allocation: its partner's relayed addresses and nothing else
                ? canonical.length == a.familyBytes() && P2pPairs.allows(a, inet(canonical), withPort ? port : -1)
                : policy.check(raw, withPort ? port : -1) == RelayPeerPolicy.Verdict.ALLOWED;
        if (!allowed) {
            error(key, m, auth, 403, "Forbidden", Refusal.FORBIDDEN_PEER);
            return null;
        }
        if (canonical.length != a.familyBytes()) {  // an IPv4 relay reaches IPv4 peers, an IPv6 relay IPv6 peers
            error(key, m, auth, 443, "Peer Address Family Mismatch", Refusal.ADDRESS_FAMILY);
            return null;
        }
        return new InetSocketAddress(inet(canonical), port);
    }

    private void onCreatePermission(ClientKey key, StunMessage m, Auth auth, long now) {
        Allocation a = owned(key, m, auth);
        if (a == null) return;
        List<InetAddress> peers = new ArrayList<>(2);
        for (int i = m.indexOf(XOR_PEER_ADDRESS); i >= 0; i = m.indexOf(XOR_PEER_ADDRESS, i)) {
            InetSocketAddress p = checkedPeer(key, m, auth, a, i, false);
            if (p == null) return;  // all or nothing (RFC 8656 §9.2)
            peers.add(p.getAddress());
        }
        if (peers.isEmpty()) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        a.prune(now);
        int fresh = 0;
        for (InetAddress p : peers) if (a.permissionIndex(p) < 0) fresh++;
        if (a.permCount + fresh > a.permAddress.length) {
            error(key, m, auth, 508, "Insufficient Capacity", Refusal.CAPACITY);
            return;
        }
        for (InetAddress p : peers) installPermission(a, p, now);
        ByteBuf out = begin(type(METHOD_CREATE_PERMISSION, CLASS_SUCCESS), m);
        finish(key, out, auth);
    }

    private static void installPermission(Allocation a, InetAddress peer, long now) {
        int i = a.permissionIndex(peer);
        if (i < 0) {
            i = a.permCount++;
            a.permAddress[i] = peer;
        }
        a.permExpiry[i] = now + TurnSettings.PERMISSION_LIFETIME_SECONDS * 1000L;
    }

    private void onChannelBind(ClientKey key, StunMessage m, Auth auth, long now) {
        Allocation a = owned(key, m, auth);
        if (a == null) return;
        int ci = m.indexOf(CHANNEL_NUMBER);
        int pi = m.indexOf(XOR_PEER_ADDRESS);
        if (ci < 0 || pi < 0) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        int channel = (int) (m.uint32(ci) >>> 16);
        if (channel < ChannelData.MIN_CHANNEL || channel > maxChannel) {
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        InetSocketAddress peer = checkedPeer(key, m, auth, a, pi, true);
        if (peer == null) return;
        a.prune(now);
        int byNumber = a.channelIndexByNumber(channel);
        int byPeer = a.channelIndexByPeer(peer);
        if (byNumber != byPeer) {
            // RFC 8656 §11.2: the number is bound to another peer, or the peer to another number
            error(key, m, auth, 400, "Bad Request", Refusal.BAD_REQUEST);
            return;
        }
        boolean needPermission = a.permissionIndex(peer.getAddress()) < 0;
        if ((byNumber < 0 && a.chanCount >= a.chanNumber.length) || (needPermission && a.permCount >= a.permAddress.length)) {
            error(key, m, auth, 508, "Insufficient Capacity", Refusal.CAPACITY);
            return;
        }
        int idx = byNumber;
        if (idx < 0) {
            idx = a.chanCount++;
            a.chanNumber[idx] = channel;
            a.chanPeer[idx] = peer;
        }
        a.chanExpiry[idx] = now + TurnSettings.CHANNEL_LIFETIME_SECONDS * 1000L;
        installPermission(a, peer.getAddress(), now);
        ByteBuf out = begin(type(METHOD_CHANNEL_BIND, CLASS_SUCCESS), m);
        finish(key, out, auth);
    }

    private void onSend(ClientKey key, StunMessage m, long now) {
        Allocation a = allocations.get(key);
        if (a == null) {
            refuse(Refusal.NO_ALLOCATION);
            return;
        }
        int pi = m.indexOf(XOR_PEER_ADDRESS);
        int di = m.indexOf(DATA);
        byte[] raw = pi < 0 ? null : rawXorAddress(m, pi);
        if (raw == null || di < 0) {
            a.dropped++;
            refuse(Refusal.MALFORMED);
            return;
        }
        int port = m.xorPort(pi);
        byte[] canonical = AddressForms.canonical(raw);
        InetAddress ip = canonical.length == a.familyBytes() ? inet(canonical) : null;
        if (a.p2p ? ip == null || !P2pPairs.allows(a, ip, port)
                : policy.check(raw, port) != RelayPeerPolicy.Verdict.ALLOWED) {
            a.dropped++;
            refuse(Refusal.FORBIDDEN_PEER);
            return;
        }
        if (ip == null || !a.permitted(ip, now)) {
            a.dropped++;
            refuse(Refusal.NO_PERMISSION);
            return;
        }
        relayToPeer(a, new InetSocketAddress(ip, port), m.buffer(), m.attributeOffset(di), m.attributeLength(di), now);
    }

    // ------------------------------------------------------------------ peer side

    /** A datagram that arrived on {@code a}'s relay socket from {@code peer}. */
    public void onPeerPacket(Allocation a, InetSocketAddress peer, ByteBuf data, long now) {
        if (a.expiresAtMillis <= now || !a.permitted(peer.getAddress(), now)) {
            a.dropped++;
            refuse(Refusal.NO_PERMISSION);
            return;
        }
        if (a.p2p && !P2pPairs.allows(a, peer.getAddress(), peer.getPort())) {  // not the partner's relay
            a.dropped++;
            refuse(Refusal.FORBIDDEN_PEER);
            return;
        }
        int len = data.readableBytes();
        if (!a.toClientBandwidth.tryTake(len, nanos(now))) {
            a.dropped++;
            refuse(Refusal.BANDWIDTH);
            return;
        }
        int channel = a.channelFor(peer, now);
        ByteBuf out;
        if (channel >= 0) {
            boolean stream = a.client.stream();
            int frame = stream ? ChannelData.streamFrameLength(len) : ChannelData.HEADER + len;
            out = io.alloc().directBuffer(frame);
            ChannelData.writeHeader(out, channel, len);
            out.writeBytes(data, data.readerIndex(), len);
            if (stream) out.writeZero(frame - ChannelData.HEADER - len);
        } else {
            if (len > 65_000) {
                a.dropped++;
                refuse(Refusal.MALFORMED);
                return;
            }
            out = io.alloc().directBuffer(len + 64);
            byte[] txid = new byte[12];
            random.nextBytes(txid);
            writer.begin(out, type(METHOD_DATA, CLASS_INDICATION), txid).addXorPeerAddress(peer).addData(data);
            writer.finish();
        }
        a.packetsToClient++;
        a.bytesToClient += len;
        packetsToClient++;
        bytesToClient += len;
        io.sendToClient(a.client, out);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Expires allocations (lifetime or credential), permissions and channels. Call about once a second. */
    public void tick(long now) {
        List<Allocation> dead = null;
        for (Allocation a : allocations.values()) {
            if (a.expiresAtMillis <= now || a.credentialExpiryMillis <= now) {
                if (dead == null) dead = new ArrayList<>();
                dead.add(a);
            } else {
                a.prune(now);
            }
        }
        if (dead != null) for (Allocation a : dead) remove(a);
        if (!revoked.isEmpty()) revoked.values().removeIf(until -> until <= now);
        if (!reservations.isEmpty()) {
            reservations.values().removeIf(r -> {
                if (r.expiresAtMillis > now) return false;
                ports.release(r.port);
                return true;
            });
        }
    }

    /**
     * Revokes every credential with this opaque id (Chorus issues one id per participant session): from now on they
     * neither allocate, refresh nor create permissions or channels (401), and the live allocations made with them
     * end at once. Remembered until {@code untilMillis}, when every such credential has expired anyway.
     */
    public void revoke(String opaqueId, long untilMillis, long now) {
        revoked.merge(opaqueId, untilMillis, Math::max);
        List<Allocation> ended = null;
        for (Allocation a : allocations.values()) {
            if (RestUsername.opaqueId(a.username).equals(opaqueId)) {
                if (ended == null) ended = new ArrayList<>();
                ended.add(a);
            }
        }
        if (ended != null) for (Allocation a : ended) remove(a);
        p2p.end(opaqueId);
    }

    /**
     * Marks the credentials of a private peer-to-peer session (one opaque id): its allocations reach only the
     * relayed addresses of the session it is {@linkplain #pairP2p paired} with, nobody while it is alone. Call before
     * its credential is handed out.
     */
    public void markP2p(String opaqueId) {
        p2p.mark(opaqueId);
    }

    /** The two sessions of a p2p room: each one's allocations reach exactly the other's relayed addresses. */
    public void pairP2p(String opaqueIdA, String opaqueIdB) {
        p2p.mark(opaqueIdA);
        p2p.mark(opaqueIdB);
        p2p.pair(opaqueIdA, opaqueIdB);
    }

    /** A p2p session ended: forgotten, and its partner (if any) reaches nobody any more. */
    public void endP2p(String opaqueId) {
        p2p.end(opaqueId);
    }

    /** Open allocations made with credentials of this opaque id (one session). */
    public int allocationsOf(String opaqueId) {
        int n = 0;
        for (Allocation a : allocations.values()) if (RestUsername.opaqueId(a.username).equals(opaqueId)) n++;
        return n;
    }

    /** p2p sessions currently known (marked or paired). */
    public int p2pSessions() {
        return p2p.sessions();
    }

    /** Revoked opaque ids still remembered. */
    public int revokedCount() {
        return revoked.size();
    }

    /** A TCP/TLS client connection closed: its allocation goes with it (RFC 8656 §2.2 5-tuple). */
    public void onClientClosed(ClientKey key) {
        Allocation a = allocations.get(key);
        if (a != null) remove(a);
    }

    /** Frees every allocation (server stop). */
    public void closeAll() {
        reservations.values().forEach(r -> ports.release(r.port));
        reservations.clear();
        for (Iterator<Allocation> it = new ArrayList<>(allocations.values()).iterator(); it.hasNext(); ) remove(it.next());
    }

    private void remove(Allocation a) {
        if (allocations.remove(a.client) != a) return;
        p2p.removed(a);
        perUser.computeIfPresent(RestUsername.owner(a.username), (u, n) -> n <= 1 ? null : n - 1);
        io.closeRelay(a.relay);
        ports.release(a.relayAddress.getPort());
    }

    public Allocation allocation(ClientKey key) {
        return allocations.get(key);
    }

    public int allocationCount() {
        return allocations.size();
    }

    public long allocationsCreated() {
        return allocationsCreated;
    }

    public long packetsToPeer() {
        return packetsToPeer;
    }

    public long bytesToPeer() {
        return bytesToPeer;
    }

    public long packetsToClient() {
        return packetsToClient;
    }

    public long bytesToClient() {
        return bytesToClient;
    }

    public long refusals(Refusal r) {
        return refusals[r.ordinal()];
    }

    /** A snapshot copy, indexed by {@link Refusal#ordinal()}. */
    public long[] refusals() {
        return refusals.clone();
    }

    public TurnSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ helpers

    private void refuse(Refusal r) {
        refusals[r.ordinal()]++;
    }

    private ByteBuf begin(int type, StunMessage request) {
        ByteBuf out = io.alloc().buffer(256);
        writer.beginResponse(out, type, request);
        return out;
    }

    private void finish(ClientKey key, ByteBuf out, Auth auth) {
        if (auth != null) {
            if (auth.sha256()) writer.addMessageIntegritySha256(auth.key());
            else writer.addMessageIntegrity(auth.key());
        }
        writer.addFingerprint();
        writer.finish();
        io.sendToClient(key, out);
    }

    private void error(ClientKey key, StunMessage m, Auth auth, int code, String reason, Refusal r) {
        refuse(r);
        if (auth == null && !budget(key, now)) return;  // every unauthenticated answer is budgeted per source
        ByteBuf out = begin(type(m.method(), CLASS_ERROR), m);
        writer.addErrorCode(code, reason);
        finish(key, out, auth);
    }

    private void badRequest(ClientKey key, StunMessage m) {
        error(key, m, null, 400, "Bad Request", Refusal.BAD_REQUEST);
    }

    /** The raw (un-XORed) address bytes of an XOR-*-ADDRESS attribute, before any Java canonicalization; null if bad. */
    static byte[] rawXorAddress(StunMessage m, int i) {
        int family = m.addressFamily(i);
        int len = m.attributeLength(i);
        ByteBuf b = m.buffer();
        int off = m.attributeOffset(i) + 4;
        if (family == 1 && len == 8) {
            int v = b.getInt(off) ^ StunMessage.MAGIC_COOKIE;
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        if (family == 2 && len == 20) {
            byte[] a = new byte[16];
            int tx = m.transactionIdOffset();
            for (int k = 0; k < 16; k++) {
                int mask = k < 4 ? (StunMessage.MAGIC_COOKIE >>> (24 - 8 * k)) & 0xFF : b.getByte(tx + k - 4);
                a[k] = (byte) (b.getByte(off + k) ^ mask);
            }
            return a;
        }
        return null;
    }

    /**
     * The core's clock is Unix milliseconds (credential expiries are Unix times); the shared rate limiters count in
     * nanoseconds and only use differences, so the same clock scaled is theirs.
     */
    static long nanos(long nowMillis) {
        return nowMillis * 1_000_000L;
    }

    private static InetAddress inet(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);  // 4 or 16 bytes: cannot happen
        }
    }

}
