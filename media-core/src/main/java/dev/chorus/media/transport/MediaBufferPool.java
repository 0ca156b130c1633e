package dev.chorus.media.transport;

import io.netty.buffer.PooledByteBufAllocator;

/**
 * The media socket's buffer pool, sized for its threading model instead of Netty's defaults (4 MiB chunks, one arena
 * per core and thread caches only on Netty's own threads):
 * <ul>
 *   <li>One event loop reads (recvmmsg into one 48 KB buffer per read) and answers STUN/DTLS: one direct arena.
 *       Heap buffers are only made on the fallback paths (NIO, {@code -Dchorus.media.workerEgress=false}), where
 *       the SFU worker threads allocate one per sent datagram: one heap arena per core.</li>
 *   <li>Thread caches on every thread that allocates ({@code useCacheForAllThreads}): in the fallback the workers are
 *       plain threads, and without a cache each datagram went to the shared arena.</li>
 *   <li>256 KiB chunks (8 KiB pages, order 5): a heap chunk stays below half a G1 region (1 MiB regions from a 2 GiB
 *       heap on), so it is never a humongous object; Netty's default 4 MiB heap chunks were, and were created and
 *       freed under load.</li>
 * </ul>
 * With the worker egress the forwarding path allocates nothing from this pool per packet.
 */
public final class MediaBufferPool {
    static final int PAGE_SIZE = 8192;
    static final int MAX_ORDER = 5;
    public static final int CHUNK_SIZE = PAGE_SIZE << MAX_ORDER;

    private static final PooledByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(
            true,                                             // direct buffers for the socket
            Math.max(1, Runtime.getRuntime().availableProcessors()), // heap arenas (fallback senders)
            1,                                                // direct arenas: one event loop
            PAGE_SIZE,
            MAX_ORDER,
            256, 64,                                          // small / normal cache entries per thread
            true,                                             // caches on all threads
            0);                                               // no direct-memory alignment

    private MediaBufferPool() {}

    public static PooledByteBufAllocator allocator() {
        return ALLOCATOR;
    }
}
