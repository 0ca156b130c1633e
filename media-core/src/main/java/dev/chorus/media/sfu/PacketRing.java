package dev.chorus.media.sfu;

import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.transport.MediaTransportConfig;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded hand-over of datagrams from the UDP event loop (the single producer) to a worker (the single
 * consumer): a ring of preallocated slots, each a datagram-sized array (with room for in-place SRTP growth) and the
 * endpoint it came from. Offering copies into the next free slot, or drops and counts when the ring is full; the
 * buffers are reused forever, so there is nothing to release and nothing allocated per packet. Publishing a slot is
 * a volatile write of the tail, so a worker that parks after seeing the ring empty cannot miss the wake-up.
 */
final class PacketRing {
    static final int SLOT_BYTES = MediaTransportConfig.MAX_DATAGRAM + SrtpEncryptor.MAX_OVERHEAD + 16;

    final byte[][] data;
    final int[] lengths;
    final Endpoint[] sources;
    /** When the producer offered each slot (the SFU clock's nanoseconds): the start of the packet's time in the server. */
    final long[] offeredAt;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    /** Producer-local. */
    private long producerTail;
    private long cachedHead;
    /** Consumer-local. */
    private long consumerHead;

    PacketRing(int capacity) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity");
        this.mask = capacity - 1;
        this.data = new byte[capacity][SLOT_BYTES];
        this.lengths = new int[capacity];
        this.sources = new Endpoint[capacity];
        this.offeredAt = new long[capacity];
    }

    /** Producer: copies the datagram in, stamped {@code now}; false (nothing kept) when full. */
    boolean offer(Endpoint source, byte[] buf, int off, int len, long now) {
        long t = producerTail;
        if (t - cachedHead > mask) {
            cachedHead = head.getAcquire();
            if (t - cachedHead > mask) return false;
        }
        int i = (int) (t & mask);
        System.arraycopy(buf, off, data[i], 0, len);
        lengths[i] = len;
        sources[i] = source;
        offeredAt[i] = now;
        producerTail = t + 1;
        tail.set(t + 1);
        return true;
    }

    /**
     * Producer: whether at least {@code n} packets are waiting. The producer's cached view of the consumer is
     * refreshed only when it suggests yes (one acquire read per {@code n} packets at most in a steady flow).
     */
    boolean backlogAtLeast(int n) {
        if (producerTail - cachedHead < n) return false;
        cachedHead = head.getAcquire();
        return producerTail - cachedHead >= n;
    }

    /** Consumer: index of the next filled slot, or -1. Call {@link #release} when done with it. */
    int peek() {
        long h = consumerHead;
        if (h >= tail.get()) return -1;
        return (int) (h & mask);
    }

    /** Consumer: frees the slot returned by {@link #peek}. */
    void release(int slot) {
        sources[slot] = null;
        consumerHead++;
        head.setRelease(consumerHead);
    }

    boolean isEmpty() {
        return consumerHead >= tail.get();
    }

    int capacity() { return mask + 1; }
}
