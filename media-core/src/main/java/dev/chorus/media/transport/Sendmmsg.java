package dev.chorus.media.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The two libc calls of the worker egress, through the Java FFM API: {@code sendmmsg(2)} on the media socket's file
 * descriptor (shared with Netty's event loop, which keeps receiving, answering STUN and sending DTLS on it: the
 * kernel serialises concurrent senders on one UDP socket) and {@code getsockname(2)} to learn the socket's address
 * family. Linux only; {@link #AVAILABLE} is false elsewhere and the transport keeps Netty's write path.
 */
final class Sendmmsg {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    private static final MethodHandle SENDMMSG;
    private static final MethodHandle GETSOCKNAME;
    private static final VarHandle ERRNO;
    static final MemoryLayout CAPTURE_LAYOUT;
    static final boolean AVAILABLE;

    static {
        MethodHandle send = null;
        MethodHandle name = null;
        VarHandle errno = null;
        MemoryLayout capture = null;
        boolean ok = false;
        try {
            if (System.getProperty("os.name", "").startsWith("Linux") && Linker.nativeLinker().defaultLookup() != null) {
                Linker linker = Linker.nativeLinker();
                Linker.Option ccs = Linker.Option.captureCallState("errno");
                capture = Linker.Option.captureStateLayout();
                errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                send = linker.downcallHandle(linker.defaultLookup().find("sendmmsg").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ccs);
                name = linker.downcallHandle(linker.defaultLookup().find("getsockname").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                ok = true;
            }
        } catch (RuntimeException | LinkageError e) {
            // No native access (e.g. --enable-native-access missing and denied) or no libc symbol: Netty path.
            ok = false;
        }
        SENDMMSG = send;
        GETSOCKNAME = name;
        ERRNO = errno;
        CAPTURE_LAYOUT = capture;
        AVAILABLE = ok;
    }

    private Sendmmsg() {}

    /**
     * sendmmsg(fd, msgvec, count, 0): the number of messages sent, or {@code -errno}. {@code callState} is a
     * segment of {@link #CAPTURE_LAYOUT}.
     */
    static int send(int fd, MemorySegment msgvec, int count, MemorySegment callState) {
        try {
            int n = (int) SENDMMSG.invokeExact(callState, fd, msgvec, count, 0);
            return n >= 0 ? n : -(int) ERRNO.get(callState, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("sendmmsg", t);
        }
    }

    /** The address family of a bound socket ({@link #AF_INET} or {@link #AF_INET6}), or -1. */
    static int family(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(128);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 128);
            int rc = (int) GETSOCKNAME.invokeExact(fd, address, length);
            return rc == 0 ? address.get(JAVA_SHORT, 0) : -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
