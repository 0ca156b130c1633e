package dev.chorus.media.dtls;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;

/**
 * The DTLS server side of one transport. The event loop calls {@link #onDatagram} with every DTLS datagram from the
 * transport's ICE-validated 5-tuple; until a ClientHello carries a valid cookie, nothing but the stateless
 * cookie exchange happens. Then, if a handshake slot is free, BouncyCastle's blocking handshake runs on a virtual
 * thread fed through a bounded queue. The outcome goes to the {@link DtlsListener}.
 */
public final class DtlsSession implements AutoCloseable {
    public enum State { NEW, HANDSHAKING, CONNECTED, CLOSED }

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final DtlsEndpoint endpoint;
    private final Fingerprint expectedClientFingerprint;
    private final DatagramSink sink;
    private final DtlsListener listener;
    private final QueueDatagramTransport transport;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile Thread thread;
    /** The established DTLS transport (application data out); null before the handshake finished. */
    private volatile DTLSTransport established;
    /** Event-loop confined; only used before the cookie exchange completed. */
    private final ClientHelloAssembler assembler = new ClientHelloAssembler();

    DtlsSession(DtlsEndpoint endpoint, Fingerprint expectedClientFingerprint, DatagramSink sink, DtlsListener listener) {
        this.endpoint = endpoint;
        this.expectedClientFingerprint = expectedClientFingerprint;
        this.sink = sink;
        this.listener = listener;
        this.transport = new QueueDatagramTransport(endpoint.config().queueCapacity(), sink);
    }

    public State state() { return state.get(); }

    /**
     * Event loop: one DTLS datagram from the validated peer. Never blocks. {@code data} may be a reused buffer; it
     * is copied only when a running session takes the datagram.
     *
     * @param clientId canonical bytes of the peer's 5-tuple, binding cookies to the address they were sent to
     */
    public void onDatagram(byte[] clientId, byte[] data, int offset, int length) {
        switch (state.get()) {
            case NEW -> {
                DTLSRequest request = endpoint.verify(clientId, data, offset, length, sink);
                if (request == null) {
                    // Not an unfragmented ClientHello: maybe one fragment of a large one (bounded reassembly).
                    byte[] whole = assembler.offer(data, offset, length);
                    if (whole == null) return;
                    request = endpoint.verify(clientId, whole, 0, whole.length, sink);
                    if (request == null) return; // cookie sent: no handshake state kept
                }
                assembler.reset();
                DTLSRequest accepted = request;
                if (!endpoint.tryAcquireSlot()) return; // busy: the client retransmits its ClientHello
                if (!state.compareAndSet(State.NEW, State.HANDSHAKING)) {
                    endpoint.releaseSlot();
                    return;
                }
                thread = Thread.ofVirtual()
                        .name("dtls-" + THREAD_IDS.incrementAndGet())
                        .start(() -> run(accepted));
            }
            case HANDSHAKING, CONNECTED -> {
                byte[] copy = new byte[length];
                System.arraycopy(data, offset, copy, 0, length);
                if (!transport.offer(copy)) endpoint.stats().droppedQueueFull.increment();
            }
            case CLOSED -> { }
        }
    }

    private void run(DTLSRequest request) {
        long start = System.nanoTime();
        ChorusTlsServer server = new ChorusTlsServer(endpoint.crypto(), endpoint.certificate(),
                expectedClientFingerprint, (int) endpoint.config().handshakeTimeout().toMillis());
        transport.setDeadline(start + endpoint.config().handshakeTimeout().toNanos());
        DTLSTransport dtls;
        boolean slotHeld = true;
        try {
            DTLSServerProtocol protocol = new DTLSServerProtocol();
            dtls = protocol.accept(server, transport, request);
            transport.clearDeadline();
            long nanos = System.nanoTime() - start;
            endpoint.releaseSlot();
            slotHeld = false;
            if (!state.compareAndSet(State.HANDSHAKING, State.CONNECTED)) {
                dtls.close();
                return; // closed meanwhile: nobody wants the keys
            }
            established = dtls;
            endpoint.stats().recordSuccess(nanos);
            listener.onConnected(server.keys(), nanos);
        } catch (IOException | RuntimeException e) {
            long nanos = System.nanoTime() - start;
            if (slotHeld) endpoint.releaseSlot();
            slotHeld = false;
            boolean closedByUs = state.getAndSet(State.CLOSED) == State.CLOSED;
            boolean timedOut = transport.timedOut() || e instanceof org.bouncycastle.tls.TlsTimeoutException
                    || nanos >= endpoint.config().handshakeTimeout().toNanos();
            DtlsFailure reason = server.failureReason(timedOut, closedByUs);
            transport.close();
            endpoint.stats().recordFailure(reason, nanos);
            endpoint.failureLog().report(reason, server.alert(), e);
            listener.onFailed(reason, nanos);
            return;
        } finally {
            if (slotHeld) endpoint.releaseSlot();
        }
        serveEstablished(dtls);
    }

    /**
     * How long an established session's thread waits for a record before looking at its state again. Every way a
     * session ends wakes the wait at once ({@link #close} and the transport's close queue a wake-up; an alert closes
     * the transport from this thread), so this only bounds a wake-up that was somehow missed: a short wait cost every
     * session a virtual-thread wake-up per period (issue 11: one a second per participant showed as ~2 % of the
     * server's CPU at 1 → 50).
     */
    static final int ESTABLISHED_WAIT_MILLIS = 60_000;

    /**
     * After the handshake BouncyCastle still has work: retransmitting its last flight if the client's Finished
     * is repeated, and noticing close_notify. Application data (SCTP of the data channels) goes to the listener.
     */
    private void serveEstablished(DTLSTransport dtls) {
        byte[] buf = new byte[QueueDatagramTransport.RECEIVE_LIMIT];
        try {
            // On close_notify or a fatal alert BouncyCastle closes our queue transport, which ends this loop.
            while (state.get() == State.CONNECTED && !transport.isClosed()) {
                int n = dtls.receive(buf, 0, buf.length, ESTABLISHED_WAIT_MILLIS);
                if (n > 0) listener.onApplicationData(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            // close_notify, fatal alert or our own close: the session is over either way.
        } finally {
            boolean wasConnected = state.getAndSet(State.CLOSED) == State.CONNECTED;
            try {
                dtls.close(); // sends close_notify if still possible
            } catch (IOException | RuntimeException ignored) {
                // nothing more to do
            }
            transport.close();
            if (wasConnected) listener.onClosed();
        }
    }

    /**
     * Sends one application data record (an SCTP packet) on the established session, from any thread: BouncyCastle
     * serializes writers ({@code DTLSRecordLayer}'s write lock) and the datagram only goes to the non-blocking sink.
     * False (nothing sent) before the handshake finished, after close, or if the record could not be written.
     */
    public boolean sendApplicationData(byte[] data, int offset, int length) {
        DTLSTransport dtls = established;
        if (dtls == null || state.get() != State.CONNECTED) return false;
        try {
            dtls.send(data, offset, length);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Closes the session from any thread. A running handshake fails with {@link DtlsFailure#CLOSED}; an established
     * session sends close_notify first (from its own thread), so the browser learns at once rather than by
     * consent timeout.
     */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CONNECTED) {
            transport.wake(); // serveEstablished sees CLOSED, sends close_notify, closes the transport
            return;
        }
        transport.close();
        Thread t = thread;
        if (t != null && previous == State.HANDSHAKING) t.interrupt();
    }
}
