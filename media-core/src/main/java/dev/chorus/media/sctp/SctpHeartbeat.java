package dev.chorus.media.sctp;

import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * HEARTBEAT (RFC 9260 section 8.3): answers the peer's heartbeats and sends ours with the send time and a random
 * nonce, so that a HEARTBEAT-ACK proves the peer is reachable and gives an RTT sample. When to send is the
 * association's timer; at most one heartbeat of ours is outstanding.
 */
final class SctpHeartbeat {
    private final SctpConfig config;
    private final RandomGenerator random;
    private final SctpCounters counters;
    /** The association's open packet with room for so many bytes. */
    private final IntFunction<SctpPacketBuilder> room;
    private long nonce;
    private boolean outstanding;

    SctpHeartbeat(SctpConfig config, RandomGenerator random, SctpCounters counters,
                  IntFunction<SctpPacketBuilder> room) {
        this.config = config;
        this.random = random;
        this.counters = counters;
        this.room = room;
    }

    /** True while our last heartbeat is unanswered (another timeout then counts as a failure). */
    boolean outstanding() { return outstanding; }

    /** The peer's HEARTBEAT {@code b[off, off+len)}: echo its info in a HEARTBEAT-ACK. */
    void onHeartbeat(byte[] b, int off, int len) {
        if (len < 8 || Bytes.u16(b, off + 4) != SctpChunks.PARAM_HEARTBEAT_INFO || Bytes.u16(b, off + 6) != len - 4
                || len > config.mtu() - SctpChunks.COMMON_HEADER) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        SctpPacketBuilder out = room.apply(len);
        out.startChunk(SctpChunks.HEARTBEAT_ACK, 0);
        out.put(b, off + 4, len - 4);
        out.endChunk();
    }

    /** A HEARTBEAT-ACK: the round-trip time of our outstanding heartbeat, or -1 if it answers none of ours. */
    long onAck(byte[] b, int off, int len, long now) {
        if (len != 4 + 4 + 16 || Bytes.u16(b, off + 4) != SctpChunks.PARAM_HEARTBEAT_INFO) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return -1;
        }
        long sentAt = Bytes.u32(b, off + 8) << 32 | Bytes.u32(b, off + 12);
        long echoed = Bytes.u32(b, off + 16) << 32 | Bytes.u32(b, off + 20);
        if (!outstanding || echoed != nonce || sentAt > now) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return -1;
        }
        outstanding = false;
        return now - sentAt;
    }

    void send(long now) {
        nonce = random.nextLong();
        outstanding = true;
        SctpPacketBuilder out = room.apply(24);
        out.startChunk(SctpChunks.HEARTBEAT, 0);
        out.put16(SctpChunks.PARAM_HEARTBEAT_INFO);
        out.put16(20);
        out.put32(now >>> 32);
        out.put32(now);
        out.put32(nonce >>> 32);
        out.put32(nonce);
        out.endChunk();
        counters.add(SctpCounter.HEARTBEATS_SENT);
    }
}
