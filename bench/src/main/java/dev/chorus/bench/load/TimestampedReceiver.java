package dev.chorus.bench.load;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The generator's receive with the kernel's arrival time of each datagram (Linux, Java FFM API): {@code SO_TIMESTAMPNS}
 * on a subscriber's socket makes the kernel stamp every datagram when it reaches the socket's host (on loopback: inside
 * the server's {@code sendmmsg}), and {@code recvmmsg(2)} reads up to {@link #BATCH} datagrams with their stamps in one
 * call. The one-way latency is then measured to the datagram's arrival at the subscriber's socket, and the time the
 * datagram then waited for the generator's own receive thread (which shares the machine's cores with the server) is
 * reported apart instead of inflating it. Without FFM or without the socket's descriptor, callers fall back to
 * {@code DatagramChannel.read} and the read time (see {@link LoadRun}'s report: {@code latency.arrivalClock}).
 *
 * <p>One instance per receive thread (its native buffers are that thread's). The kernel stamps with
 * {@code CLOCK_REALTIME}; the probes carry {@link System#nanoTime()}: each batch converts with the offset between the
 * two clocks read back to back just after the call (tens of nanoseconds apart).
 */
final class TimestampedReceiver {
    static final int BATCH = 64;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SOCK_DGRAM = 2;
    private static final int SO_TIMESTAMPNS = 35;
    private static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int CLOCK_REALTIME = 0;
    private static final int AF_INET = 2;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    /** x86-64 / aarch64 Linux: struct msghdr is 56 bytes, struct mmsghdr 64, struct iovec 16. */
    private static final long MSGHDR = 56;
    private static final long MMSGHDR = 64;
    private static final long IOVEC = 16;
    /** CMSG_SPACE(sizeof(struct timespec)) = 32, with room to spare for another control message. */
    private static final long CONTROL = 64;

    private static final MethodHandle RECVMMSG;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle CLOCK_GETTIME;
    private static final VarHandle ERRNO;
    private static final MemoryLayout CAPTURE;
    static final boolean AVAILABLE;

    static {
        MethodHandle recv = null, opt = null, getOpt = null, name = null, clock = null;
        VarHandle errno = null;
        MemoryLayout capture = null;
        boolean ok = false;
        try {
            if (System.getProperty("os.name", "").startsWith("Linux") && ADDRESS.byteSize() == 8) {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                Linker.Option ccs = Linker.Option.captureCallState("errno");
                capture = Linker.Option.captureStateLayout();
                errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                recv = linker.downcallHandle(libc.find("recvmmsg").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ccs);
                opt = linker.downcallHandle(libc.find("setsockopt").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                getOpt = linker.downcallHandle(libc.find("getsockopt").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                name = linker.downcallHandle(libc.find("getsockname").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                clock = linker.downcallHandle(libc.find("clock_gettime").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.critical(false));
                ok = true;
            }
        } catch (RuntimeException | LinkageError e) {
            ok = false; // no native access: the channel's read and the read time
        }
        RECVMMSG = recv;
        SETSOCKOPT = opt;
        GETSOCKOPT = getOpt;
        GETSOCKNAME = name;
        CLOCK_GETTIME = clock;
        ERRNO = errno;
        CAPTURE = capture;
        AVAILABLE = ok;
    }

    private final MemorySegment msgs;
    private final MemorySegment buffers;
    private final MemorySegment controls;
    private final MemorySegment timespec;
    private final MemorySegment callState;
    private long realMinusMono;

    TimestampedReceiver(Arena arena) {
        msgs = arena.allocate(MMSGHDR * BATCH, 8);
        buffers = arena.allocate((long) MediaEndpoint.MAX_DATAGRAM * BATCH, 8);
        controls = arena.allocate(CONTROL * BATCH, 8);
        MemorySegment iovecs = arena.allocate(IOVEC * BATCH, 8);
        timespec = arena.allocate(16, 8);
        callState = arena.allocate(CAPTURE);
        for (int i = 0; i < BATCH; i++) {
            MemorySegment iov = iovecs.asSlice(IOVEC * i, IOVEC);
            iov.set(ADDRESS, 0, buffers.asSlice((long) MediaEndpoint.MAX_DATAGRAM * i, MediaEndpoint.MAX_DATAGRAM));
            iov.set(JAVA_LONG, 8, MediaEndpoint.MAX_DATAGRAM);
            MemorySegment h = msgs.asSlice(MMSGHDR * i, MMSGHDR);
            h.set(ADDRESS, 0, MemorySegment.NULL); // msg_name: the socket is connected
            h.set(JAVA_INT, 8, 0);
            h.set(ADDRESS, 16, iov);
            h.set(JAVA_LONG, 24, 1);
            h.set(ADDRESS, 32, controls.asSlice(CONTROL * i, CONTROL));
        }
    }

    /** Whether the socket {@code fd} has {@code SO_TIMESTAMPNS} on (false without FFM or on a failed call). */
    static boolean timestampsOn(int fd) {
        if (!AVAILABLE || fd < 0) return false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 4);
            return (int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_TIMESTAMPNS, value, length) == 0
                    && value.get(JAVA_INT, 0) != 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Reads up to {@code max} (≤ {@link #BATCH}) datagrams without blocking: their count (0 when none is queued), or
     * -1 when the socket failed (closed, ICMP unreachable after the server stopped).
     */
    int receive(int fd, int max) {
        int n = Math.min(max, BATCH);
        for (int i = 0; i < n; i++) {
            MemorySegment h = msgs.asSlice(MMSGHDR * i, MMSGHDR);
            h.set(JAVA_LONG, 40, CONTROL); // msg_controllen: the kernel overwrites it with what it wrote
            h.set(JAVA_INT, 48, 0);
        }
        int got;
        try {
            got = (int) RECVMMSG.invokeExact(callState, fd, msgs, n, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("recvmmsg", t);
        }
        if (got < 0) {
            int errno = (int) ERRNO.get(callState, 0L);
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        realMinusMono = realtimeNanos() - System.nanoTime();
        return got;
    }

    /** Length of datagram {@code i} of the last {@link #receive}. */
    int length(int i) {
        return msgs.get(JAVA_INT, MMSGHDR * i + MSGHDR);
    }

    /** Copies datagram {@code i} of the last {@link #receive} into {@code dst}; returns its length. */
    int copy(int i, byte[] dst) {
        int len = Math.min(length(i), dst.length);
        MemorySegment.copy(buffers, java.lang.foreign.ValueLayout.JAVA_BYTE, (long) MediaEndpoint.MAX_DATAGRAM * i, dst, 0, len);
        return len;
    }

    /**
     * When datagram {@code i} reached the socket's host, on the {@link System#nanoTime()} clock; {@code fallback} if
     * the kernel gave no stamp.
     */
    long arrivalNanos(int i, long fallback) {
        MemorySegment h = msgs.asSlice(MMSGHDR * i, MMSGHDR);
        long controlLen = h.get(JAVA_LONG, 40);
        long at = CONTROL * i;
        long end = at + Math.min(controlLen, CONTROL);
        while (at + 16 <= end) {
            long cmsgLen = controls.get(JAVA_LONG, at);
            if (cmsgLen < 16) break;
            if (controls.get(JAVA_INT, at + 8) == SOL_SOCKET && controls.get(JAVA_INT, at + 12) == SCM_TIMESTAMPNS
                    && at + 32 <= end) {
                long real = controls.get(JAVA_LONG, at + 16) * 1_000_000_000L + controls.get(JAVA_LONG, at + 24);
                return real - realMinusMono;
            }
            at += (cmsgLen + 7) & ~7L;
        }
        return fallback;
    }

    private long realtimeNanos() {
        try {
            int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_REALTIME, timespec);
            if (rc != 0) throw new IllegalStateException("clock_gettime failed");
        } catch (Throwable t) {
            throw new IllegalStateException("clock_gettime", t);
        }
        return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
    }

    /**
     * The file descriptor of a bound IPv4 {@code channel} with kernel timestamps switched on, or -1 (no FFM, not found,
     * or the option refused). The JDK does not expose a channel's descriptor; the one UDP socket of this process bound to
     * the channel's local address and port is it.
     */
    static int timestampedFd(DatagramChannel channel) {
        int fd = descriptorOf(channel);
        if (fd < 0) return -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            return (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_TIMESTAMPNS, one, 4) == 0 ? fd : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** The file descriptor of a bound IPv4 UDP {@code channel}, options untouched, or -1 (see {@link #timestampedFd}). */
    static int descriptorOf(DatagramChannel channel) {
        if (!AVAILABLE) return -1;
        try (Arena arena = Arena.ofConfined(); Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            if (!(local.getAddress() instanceof Inet4Address v4)) return -1;
            byte[] ip = v4.getAddress();
            MemorySegment address = arena.allocate(128, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            MemorySegment type = arena.allocate(JAVA_INT);
            for (Path p : (Iterable<Path>) fds::iterator) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                    if (!Files.readSymbolicLink(p).toString().startsWith("socket:")) continue;
                } catch (NumberFormatException | IOException gone) {
                    continue;
                }
                length.set(JAVA_INT, 0, 128);
                if ((int) GETSOCKNAME.invokeExact(fd, address, length) != 0) continue;
                if (address.get(JAVA_SHORT, 0) != AF_INET) continue;
                int port = ((address.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2) & 0xFF) << 8)
                        | (address.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 3) & 0xFF);
                if (port != local.getPort()) continue;
                boolean same = true;
                for (int b = 0; b < 4; b++) same &= address.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + b) == ip[b];
                if (!same) continue;
                length.set(JAVA_INT, 0, 4); // a TCP socket (the generator's signaling) can hold the same port number
                if ((int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_TYPE, type, length) != 0
                        || type.get(JAVA_INT, 0) != SOCK_DGRAM) {
                    continue;
                }
                return fd;
            }
            return -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
