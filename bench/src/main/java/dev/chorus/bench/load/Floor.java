package dev.chorus.bench.load;

import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machine's floor for forwarding: the CPU cost of only protecting packets of the same size with the same SRTP
 * profile, one SRTP context per destination stream (as each subscriber has its own), and writing them over loopback
 * with a Netty epoll {@code DatagramChannel} — a batch of writes flushed once (sendmmsg) — with no SFU logic and
 * no receive/decrypt. Everything runs on the one event-loop thread, and that thread's CPU time is the cost.
 *
 * <p>Where the datagrams go is the {@link Sink}. Over loopback the sender's CPU time includes the kernel's whole
 * receive path (routing, socket lookup, queueing and waking the reader), so the sink decides what the floor costs:
 * {@link Sink#NEVER_READ} (one bound socket nobody reads: once its queue is full the kernel drops each datagram at
 * enqueue, before any wake-up) is the cheapest path and understates what a server delivering to live subscribers pays;
 * {@link Sink#READ} (one socket per destination stream, drained by a reader thread the way the load generator's
 * receive loop drains its participants' sockets) is the same delivery the server's sends get. The reader's CPU is
 * the receiver's, as the generator's CPU is not the server's: only the sending thread is measured.
 */
public final class Floor {
    /** Where the floor's datagrams go (see the class comment). */
    public enum Sink { NEVER_READ, READ }

    /**
     * One floor measurement: {@code packets} sent in {@code slices.size()} consecutive slices; the CPU per packet is
     * the median slice's (a slice this shared VM slowed down for a second or two does not move it; the plain mean
     * over all slices is reported beside it).
     */
    public record Result(String profile, int payloadBytes, int batch, long packets, long cpuNanos, long wallNanos,
                         boolean epoll, Sink sink, List<Double> slices) {
        public Result {
            slices = List.copyOf(slices);
        }

        public double cpuNanosPerPacket() {
            if (slices.isEmpty()) return meanCpuNanosPerPacket();
            List<Double> sorted = slices.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        public double meanCpuNanosPerPacket() { return packets == 0 ? Double.NaN : (double) cpuNanos / packets; }

        public double packetsPerCpuSecond() { return 1e9 / cpuNanosPerPacket(); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("profile", profile);
            m.put("packetBytes", payloadBytes);
            m.put("batch", batch);
            m.put("transport", epoll ? "epoll (sendmmsg)" : "nio");
            m.put("sink", sink == Sink.NEVER_READ ? "one socket, never read" : "one socket per stream, drained"
                    + (TimestampedReceiver.AVAILABLE ? ", kernel arrival stamps on" : ""));
            m.put("packets", packets);
            m.put("cpuSeconds", cpuNanos / 1e9);
            m.put("wallSeconds", wallNanos / 1e9);
            m.put("cpuNanosPerPacket", cpuNanosPerPacket());
            m.put("sliceCpuNanosPerPacket", slices);
            m.put("meanCpuNanosPerPacket", meanCpuNanosPerPacket());
            m.put("packetsPerCpuSecond", packetsPerCpuSecond());
            return m;
        }
    }

    /** Consecutive measured slices of one floor measurement (its CPU per packet is the median slice's). */
    static final int SLICES = 5;
    /** Fewer packets than this per slice and the floor is one slice (a slice of a few ms is all noise). */
    static final long MIN_SLICE_PACKETS = 40_000;

    private Floor() {}

    /**
     * Protects and sends {@code packets} RTP packets of {@code packetBytes} (header included) in batches of
     * {@code batch} (one stream per batch slot, flushed once per batch) and returns the event-loop thread's CPU time,
     * in {@link #SLICES} slices when there are enough packets ({@link Result#cpuNanosPerPacket}: the median slice's).
     * Bounded by {@code maxWallMillis}: it stops early and reports what was sent.
     */
    public static Result measure(SrtpProfile profile, int packetBytes, int batch, long packets, long maxWallMillis)
            throws IOException, InterruptedException {
        return measure(profile, packetBytes, batch, packets, maxWallMillis, Sink.NEVER_READ);
    }

    public static Result measure(SrtpProfile profile, int packetBytes, int batch, long packets, long maxWallMillis,
                                 Sink sink) throws IOException, InterruptedException {
        // Netty's leak detector off, as in the server (NettyLeakDetection: off in production): at its default
        // (sampling one buffer in 128 with a stack trace) it cost the floor's thread about 0.5 % in a profile.
        ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            // A shorter unmeasured pass first, so that the JIT has compiled the path (the server under load is warm too).
            once(profile, packetBytes, batch, Math.max(10_000, packets / 4), maxWallMillis / 4, sink);
            int n = packets >= SLICES * MIN_SLICE_PACKETS ? SLICES : 1;
            long packetsSent = 0, cpuNanos = 0, wallNanos = 0;
            List<Double> slices = new ArrayList<>(n);
            Result last = null;
            for (int i = 0; i < n; i++) {
                last = once(profile, packetBytes, batch, packets / n, maxWallMillis / n, sink);
                packetsSent += last.packets();
                cpuNanos += last.cpuNanos();
                wallNanos += last.wallNanos();
                slices.add(last.meanCpuNanosPerPacket());
            }
            return new Result(profile.name(), packetBytes, last.batch(), packetsSent, cpuNanos, wallNanos, last.epoll(),
                    sink, slices);
        } finally {
            ResourceLeakDetector.setLevel(leakDetection);
        }
    }

    private static Result once(SrtpProfile profile, int packetBytes, int batch, long packets, long maxWallMillis,
                               Sink sinkKind) throws IOException, InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try (FloorSinks sinks = FloorSinks.open(sinkKind == Sink.READ ? Math.max(1, batch) : 1, sinkKind == Sink.READ)) {
            InetSocketAddress[] to = sinks.addresses();
            Channel ch = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            io.netty.util.ReferenceCountUtil.release(msg);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try {
                Sender s = new Sender(ch, to, profile, packetBytes, Math.max(1, batch), packets,
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWallMillis));
                ch.eventLoop().execute(s);
                long[] r = s.done.get(maxWallMillis + 10_000, TimeUnit.MILLISECONDS);
                return new Result(profile.name(), packetBytes, Math.max(1, batch), r[0], r[1], r[2], epoll, sinkKind,
                        List.of());
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("floor measurement failed", e);
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Runs on the event loop: one batch per task so that the loop can wait for EPOLLOUT between batches. */
    private static final class Sender implements Runnable {
        final CompletableFuture<long[]> done = new CompletableFuture<>();
        final Channel ch;
        final InetSocketAddress[] to;
        final int packetBytes;
        final int batch;
        final long target;
        final long deadline;
        final SrtpEncryptor[] streams;
        final int[] seq;
        final byte[] plain;
        final byte[] work;
        final PacketBuffer view = new PacketBuffer();
        long sent;
        long cpuStart = -1;
        long wallStart;

        Sender(Channel ch, InetSocketAddress[] to, SrtpProfile profile, int packetBytes, int batch, long target, long deadline) {
            this.ch = ch;
            this.to = to;
            this.packetBytes = packetBytes;
            this.batch = batch;
            this.target = target;
            this.deadline = deadline;
            this.streams = new SrtpEncryptor[batch];
            this.seq = new int[batch];
            Random rnd = new Random(7);
            SrtpStats stats = new SrtpStats();
            for (int i = 0; i < batch; i++) {
                byte[] material = new byte[profile.keyingMaterialLength()];
                rnd.nextBytes(material);
                streams[i] = SrtpEncryptor.forServer(SrtpKeys.fromKeyingMaterial(profile, material), 2, stats);
            }
            plain = new byte[packetBytes];
            plain[0] = (byte) 0x80;
            plain[1] = 96;
            for (int i = 12; i < packetBytes; i++) plain[i] = (byte) (i * 31);
            work = new byte[packetBytes + SrtpEncryptor.MAX_OVERHEAD];
        }

        @Override
        public void run() {
            try {
                if (cpuStart < 0) {
                    cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    wallStart = System.nanoTime();
                }
                if (ch.isWritable()) {
                    for (int i = 0; i < batch && sent < target; i++, sent++) {
                        System.arraycopy(plain, 0, work, 0, packetBytes);
                        int s = seq[i]++;
                        work[2] = (byte) (s >>> 8);
                        work[3] = (byte) s;
                        work[8] = (byte) (i >>> 8); work[9] = (byte) i; work[10] = 0x5E; work[11] = 0x7A; // SSRC per stream
                        view.wrap(work, 0, packetBytes);
                        if (streams[i].protectRtp(view) != SrtpResult.OK) throw new IllegalStateException("protect");
                        ByteBuf b = ch.alloc().directBuffer(view.getLength());
                        b.writeBytes(work, 0, view.getLength());
                        ch.write(new DatagramPacket(b, to[i % to.length]), ch.voidPromise());
                    }
                    ch.flush();
                }
                if (sent >= target || System.nanoTime() > deadline) {
                    long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart;
                    for (SrtpEncryptor e : streams) e.close();
                    done.complete(new long[] {sent, cpu, System.nanoTime() - wallStart});
                } else {
                    ch.eventLoop().execute(this);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
