package dev.chorus.media.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the UDP edge. Inbound ones have a single writer, the event loop, and are plain fields read by
 * Micrometer from another thread (slightly stale values are fine; no fence per packet). Outbound ones may be
 * written by several sending threads (room workers), hence {@link LongAdder}s, which do not contend.
 */
public final class TransportCounters {
    long packetsIn;
    long bytesIn;
    long stunIn;
    long dtlsIn;
    long srtpIn;
    final long[] drops = new long[DropReason.values().length];
    final LongAdder packetsOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Worker egress: datagrams dropped because the socket's send buffer was full (EAGAIN). */
    final LongAdder sendBufferFull = new LongAdder();
    /** Worker egress: datagrams the kernel refused (e.g. unreachable network). */
    final LongAdder sendFailed = new LongAdder();
    /** Worker egress: sendmmsg system calls (packetsOut / this = the batch size achieved). */
    final LongAdder sendmmsgCalls = new LongAdder();

    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    public long packetsIn() { return packetsIn; }
    public long bytesIn() { return bytesIn; }
    public long stunIn() { return stunIn; }
    public long dtlsIn() { return dtlsIn; }
    public long srtpIn() { return srtpIn; }
    public long drops(DropReason reason) { return drops[reason.ordinal()]; }
    public long packetsOut() { return packetsOut.sum(); }
    public long bytesOut() { return bytesOut.sum(); }
    public long sendBufferFull() { return sendBufferFull.sum(); }
    public long sendFailed() { return sendFailed.sum(); }
    public long sendmmsgCalls() { return sendmmsgCalls.sum(); }
}
