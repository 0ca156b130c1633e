package dev.chorus.media.transport;

import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpEncryptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The send side of one sending thread (an SFU worker): SRTP-protects into a thread-owned array, copies the result
 * into a native {@link EgressBatch} slot and sends the batch itself with one {@code sendmmsg(2)} on the media
 * socket, when the batch is full or the thread flushes (the worker does after every drain). No task is handed to
 * Netty's event loop, no {@code ByteBuf} or {@code DatagramPacket} is created per datagram, and nothing is allocated
 * per datagram in this class.
 *
 * <p>Why the shared socket and not one {@code SO_REUSEPORT} socket per worker: incoming datagrams are spread over
 * every socket of a reuseport group by 4-tuple hash, so send-only worker sockets would swallow a share of the
 * participants' packets (steering them back needs a BPF program per group). Sending on the one socket from several
 * threads is safe: the kernel serialises senders, and Netty's loop keeps the socket for receiving, STUN and DTLS.
 *
 * <p>If the kernel's send buffer is full ({@code EAGAIN}), the rest of the batch is dropped and counted: a late
 * media packet is worth less than a stalled worker, and the receivers' NACKs recover what matters.
 */
final class WorkerEgress {
    private final TransportCounters counters;
    private final EgressBatch batch;
    private final MemorySegment callState;
    /** Thread-owned array SRTP protects in (jitsi-srtp works on byte[]), with room for the tag. */
    final byte[] scratch = new byte[MediaTransportConfig.MAX_DATAGRAM + SrtpEncryptor.MAX_OVERHEAD];
    final PacketBuffer view = new PacketBuffer();

    WorkerEgress(TransportCounters counters) {
        this.counters = counters;
        Arena arena = Arena.ofAuto(); // freed with this object when its thread is gone
        this.batch = new EgressBatch(arena);
        this.callState = arena.allocate(Sendmmsg.CAPTURE_LAYOUT);
    }

    /** Queues {@code scratch[0, length)} to the encoded address; sends the batch on {@code fd} first if it is full. */
    void queue(int fd, int length, byte[] name, int nameLength) {
        if (batch.isFull()) flush(fd);
        batch.add(scratch, 0, length, name, nameLength);
    }

    /** Sends what is queued on {@code fd} (sendmmsg, repeated after a partial send); drops it if {@code fd < 0}. */
    void flush(int fd) {
        int n = batch.size();
        if (fd < 0) {
            batch.clear();
            return;
        }
        int sent = 0;
        long bytes = 0;
        int from = 0;
        int syscalls = 0;
        while (from < n) {
            int r = Sendmmsg.send(fd, from == 0 ? batch.messages : batch.from(from), n - from, callState);
            syscalls++;
            if (r > 0) {
                for (int i = from; i < from + r; i++) bytes += batch.length(i);
                sent += r;
                from += r;
            } else if (r == -Sendmmsg.EINTR) {
                continue;
            } else if (r == -Sendmmsg.EAGAIN) {
                counters.sendBufferFull.add(n - from);
                break;
            } else {
                // This datagram cannot be sent (e.g. unreachable network): skip it, keep the rest.
                counters.sendFailed.increment();
                from++;
            }
        }
        batch.clear();
        if (sent > 0) {
            counters.packetsOut.add(sent);
            counters.bytesOut.add(bytes);
        }
        if (syscalls > 0) counters.sendmmsgCalls.add(syscalls);
    }

    boolean hasPending() { return !batch.isEmpty(); }
}
