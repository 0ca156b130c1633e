package dev.chorus.bench.load;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generator's receive path: a few platform threads, each with one selector over many participants' non-blocking
 * UDP channels. A readable channel is drained in place ({@link MediaEndpoint#drain}: read into the thread's one
 * buffer, SRTP-decrypt in that buffer, hand the plaintext to the participant's sink), so a received packet costs one
 * read syscall and one decrypt and allocates nothing, and one wake-up serves every socket that became readable
 * meanwhile. On Linux the read is a {@code recvmmsg} of up to 64 datagrams with the kernel's arrival time of each
 * ({@link TimestampedReceiver}), so the one-way latency ends where the datagram reached the subscriber's socket and
 * this thread's own queueing is measured apart. A thread per participant (what {@code WebRtcTestClient} does) costs a park/unpark and two copies per
 * packet, which on a 2-core machine made the generator, not the server, the limit.
 */
final class ReceiveLoop implements AutoCloseable {
    /** Datagrams read from one socket before moving to the next ready one (fairness between participants). */
    static final int BURST = 64;

    private final List<Worker> workers = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    ReceiveLoop(int threads) throws IOException {
        this(threads, 0);
    }

    /**
     * {@code batchNanos > 0}: after each pass over the readable sockets a thread sleeps that long before it looks
     * again, so one wake-up reads what arrived meanwhile on every socket (on a machine shared with the server, each
     * wake-up of this thread may preempt a server thread). The datagrams' arrival times are the kernel's, so the
     * wait counts as the generator's receive delay, not as one-way latency.
     */
    ReceiveLoop(int threads, long batchNanos) throws IOException {
        for (int i = 0; i < Math.max(1, threads); i++) workers.add(new Worker(i, batchNanos));
    }

    /** Starts reading {@code endpoint}'s socket on one of the threads (round robin). */
    void add(MediaEndpoint endpoint) {
        Worker w = workers.get(Math.floorMod(next.getAndIncrement(), workers.size()));
        w.pending.add(endpoint);
        w.selector.wakeup();
    }

    /** CPU time of the receive threads so far (part of the generator's own CPU). */
    long cpuNanos() {
        long sum = 0;
        for (Worker w : workers) sum += w.cpuNanos();
        return sum;
    }

    @Override
    public void close() throws InterruptedException {
        for (Worker w : workers) {
            w.running = false;
            w.selector.wakeup();
        }
        for (Worker w : workers) {
            w.thread.join(5000);
            try {
                w.selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static final class Worker {
        final Selector selector;
        final ConcurrentLinkedQueue<MediaEndpoint> pending = new ConcurrentLinkedQueue<>();
        final byte[] buffer = new byte[MediaEndpoint.MAX_DATAGRAM];
        /** recvmmsg with kernel arrival times, or null without the FFM API (then each socket is read by its channel). */
        final TimestampedReceiver receiver =
                TimestampedReceiver.AVAILABLE ? new TimestampedReceiver(java.lang.foreign.Arena.ofAuto()) : null;
        final Thread thread;
        final long batchNanos;
        volatile boolean running = true;

        Worker(int index, long batchNanos) throws IOException {
            this.batchNanos = batchNanos;
            selector = Selector.open();
            thread = Thread.ofPlatform().daemon().name("bench-rx-" + index).start(this::loop);
        }

        long cpuNanos() {
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long t = mx.getThreadCpuTime(thread.threadId());
            return Math.max(0, t);
        }

        void loop() {
            java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(buffer);
            while (running) {
                MediaEndpoint e;
                while ((e = pending.poll()) != null) {
                    try {
                        e.channel().register(selector, SelectionKey.OP_READ, e);
                    } catch (ClosedChannelException closed) {
                        // the participant left before its first read
                    }
                }
                try {
                    if (selector.select(100) == 0) continue;
                } catch (IOException ex) {
                    return;
                }
                var keys = selector.selectedKeys();
                for (SelectionKey k : keys) {
                    if (!k.isValid()) continue;
                    ((MediaEndpoint) k.attachment()).drain(view, buffer, BURST, receiver);
                }
                keys.clear();
                if (batchNanos > 0) java.util.concurrent.locks.LockSupport.parkNanos(batchNanos);
            }
        }
    }
}
