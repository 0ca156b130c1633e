package dev.chorus.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Adapts BouncyCastle's blocking {@link DatagramTransport} to an event loop: the loop {@link #offer}s datagrams
 * into a bounded queue (never blocking, dropping when full), the handshake's virtual thread takes them in
 * {@link #receive}; sends go straight to the {@link DatagramSink}. A deadline bounds the handshake independently of
 * BouncyCastle's own retransmission timers.
 */
final class QueueDatagramTransport implements DatagramTransport {
    /** Largest datagram we hand to or send from BouncyCastle; fits the usual 1280+ path MTU with IP/UDP headers. */
    static final int SEND_LIMIT = 1200;
    static final int RECEIVE_LIMIT = 1500;

    private final ArrayBlockingQueue<byte[]> inbound;
    private final DatagramSink sink;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean closed;
    private volatile boolean timedOut;

    QueueDatagramTransport(int capacity, DatagramSink sink) {
        this.inbound = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
    }

    /** Event loop side: queues a copy of one datagram; false if full or closed (caller counts the drop). */
    boolean offer(byte[] datagram) {
        return !closed && datagram.length <= RECEIVE_LIMIT && inbound.offer(datagram);
    }

    private static final byte[] WAKE_UP = new byte[0];

    /**
     * Ends a waiting (or the next) {@link #receive} at once with an {@link InterruptedIOException}, so its thread
     * re-checks its state. Returning -1 would not do: BouncyCastle reads it as "nothing yet" and keeps waiting for the
     * rest of its own timeout; it passes an {@code InterruptedIOException} through without failing the connection,
     * so the session can still send close_notify.
     */
    void wake() {
        inbound.offer(WAKE_UP);
    }

    void setDeadline(long deadlineNanos) { this.deadlineNanos = deadlineNanos; }
    void clearDeadline() { this.deadlineNanos = Long.MAX_VALUE; }
    boolean timedOut() { return timedOut; }
    boolean isClosed() { return closed; }

    @Override public int getReceiveLimit() { return RECEIVE_LIMIT; }
    @Override public int getSendLimit() { return SEND_LIMIT; }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) throw new InterruptedIOException("transport closed");
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            timedOut = true;
            throw new SocketTimeoutException("DTLS handshake deadline passed");
        }
        long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(waitMillis, 1)), remaining);
        byte[] datagram;
        try {
            datagram = inbound.poll(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("transport closed");
        }
        if (datagram == null) return -1; // BouncyCastle reads -1 as "nothing within waitMillis" and drives its retransmissions
        if (datagram.length == 0) throw new InterruptedIOException(closed ? "transport closed" : "woken");
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) throw new InterruptedIOException("transport closed");
        sink.send(buf, off, len);
    }

    @Override
    public void close() {
        closed = true;
        inbound.clear();
        inbound.offer(WAKE_UP); // a receive waiting on the queue returns now and sees the close
    }
}
