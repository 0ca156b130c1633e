package dev.chorus.media.ice;

import dev.chorus.stun.StunAttributes;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunParseStatus;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Entry point for STUN packets arriving on the shared media socket (after RFC 7983 demux). Parses strictly,
 * finds the transport by the local part of USERNAME in the {@link IceDirectory}, and lets its {@link IceLiteAgent}
 * verify and answer. Unknown ufrag, missing or wrong integrity, bad fingerprint and malformed packets are dropped
 * silently and counted; nothing is created for them (SECURITY-CHECKLIST 29–31).
 *
 * <p>One router per I/O thread: it reuses one parse view, one writer and one lookup probe, so handling a check
 * allocates nothing of its own. It also keeps a validated-address index for demuxing DTLS/SRTP to a transport
 * ({@link #agentFor}); entries are only added after a valid check and the index is bounded.
 *
 * <pre>{@code
 * IceCheckResult r = router.handle(packet, sender, System.nanoTime(), out);
 * if (r == IceCheckResult.RESPONDED || r == IceCheckResult.ROLE_CONFLICT) send(out, sender);
 * }</pre>
 */
public final class StunRouter {
    /** Largest STUN message accepted on the media socket: a Binding request is ~100–200 bytes. */
    public static final int MAX_MESSAGE_BYTES = 1500;
    /** Largest number of attributes accepted in a Binding request. */
    public static final int MAX_ATTRIBUTES = 24;

    private final IceDirectory directory;
    private final StunMessage view = new StunMessage(MAX_MESSAGE_BYTES, MAX_ATTRIBUTES);
    private final StunWriter writer = new StunWriter();
    private final UfragKey probe = UfragKey.probe();
    private final Map<InetSocketAddress, IceLiteAgent> byAddress = new HashMap<>();
    private final int maxAddresses;
    private IceLiteAgent lastAgent;

    private final long[] results = new long[IceCheckResult.values().length];
    private final long[] malformed = new long[StunParseStatus.values().length];

    /** A router over {@code directory}. */
    public StunRouter(IceDirectory directory) {
        this.directory = directory;
        this.maxAddresses = directory.capacity() * IceLiteAgent.MAX_VALIDATED_ADDRESSES;
    }

    /**
     * Handles one STUN datagram (its readable bytes; indices are not moved).
     *
     * @param out receives the response when the result is {@link IceCheckResult#RESPONDED} or
     *            {@link IceCheckResult#ROLE_CONFLICT}; untouched otherwise
     */
    public IceCheckResult handle(ByteBuf packet, InetSocketAddress source, long nowNanos, ByteBuf out) {
        lastAgent = null;
        IceCheckResult r = route(packet, source, nowNanos, out);
        results[r.ordinal()]++;
        view.clear();
        return r;
    }

    private IceCheckResult route(ByteBuf packet, InetSocketAddress source, long nowNanos, ByteBuf out) {
        StunParseStatus st = view.wrap(packet);
        if (st != StunParseStatus.OK) {
            malformed[st.ordinal()]++;
            return IceCheckResult.MALFORMED;
        }
        int type = view.messageType();
        if (type == StunMessageType.BINDING_INDICATION) {
            return IceCheckResult.INDICATION;
        }
        if (type != StunMessageType.BINDING_REQUEST) {
            return IceCheckResult.NOT_BINDING_REQUEST;
        }
        int u = view.indexOf(StunAttributes.USERNAME);
        if (u < 0) {
            return IceCheckResult.MISSING_USERNAME;
        }
        int colon = view.indexOfByte(u, (byte) ':');
        if (colon <= 0) {
            return IceCheckResult.MISSING_USERNAME;
        }
        if (colon > UfragKey.MAX_LENGTH) {
            return IceCheckResult.UNKNOWN_UFRAG;
        }
        packet.getBytes(view.attributeOffset(u), probe.buffer(), 0, colon);
        probe.setLength(colon);
        IceLiteAgent agent = directory.lookup(probe);
        if (agent == null) {
            return IceCheckResult.UNKNOWN_UFRAG;
        }
        IceCheckResult r = agent.handle(view, u, colon, source, nowNanos, out, writer);
        if (r == IceCheckResult.RESPONDED) {
            lastAgent = agent;
            if (byAddress.put(source, agent) != agent && byAddress.size() > maxAddresses) {
                purge();
            }
        }
        return r;
    }

    /** The agent that answered the last {@link #handle} call with {@link IceCheckResult#RESPONDED}, else null. */
    public IceLiteAgent lastAgent() {
        return lastAgent;
    }

    /**
     * The transport that has validated {@code source}, or null: the DTLS/SRTP demux uses this to drop packets
     * from 5-tuples ICE has not validated (SECURITY-CHECKLIST 33).
     */
    public IceLiteAgent agentFor(InetSocketAddress source) {
        IceLiteAgent a = byAddress.get(source);
        if (a == null) {
            return null;
        }
        if (!a.isValidated(source)) {
            byAddress.remove(source);
            return null;
        }
        return a;
    }

    /** Drops index entries whose agent no longer validates the address (also call it from the periodic tick). */
    public void purge() {
        Iterator<Map.Entry<InetSocketAddress, IceLiteAgent>> it = byAddress.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<InetSocketAddress, IceLiteAgent> e = it.next();
            if (!e.getValue().isValidated(e.getKey())) {
                it.remove();
            }
        }
    }

    /** Number of entries in the validated-address index (bounded). */
    public int addressIndexSize() {
        return byAddress.size();
    }

    /** Packets that ended with {@code result}. */
    public long count(IceCheckResult result) {
        return results[result.ordinal()];
    }

    /** Malformed packets by parse failure reason. */
    public long malformed(StunParseStatus reason) {
        return malformed[reason.ordinal()];
    }

    /** The directory. */
    public IceDirectory directory() {
        return directory;
    }
}
