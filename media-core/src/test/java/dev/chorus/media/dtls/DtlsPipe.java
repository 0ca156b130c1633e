package dev.chorus.media.dtls;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.bouncycastle.tls.DatagramTransport;

/**
 * In-memory wiring of a client {@link DatagramTransport} to a {@link DtlsSession}, standing in for the UDP
 * socket and event loop: client sends go to {@link DtlsSession#onDatagram} (one caller thread, as on the event
 * loop), the session's sends come back to the client's queue unless {@code serverToClient} filters them out.
 */
final class DtlsPipe implements DatagramSink {
    final LinkedBlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
    final AtomicInteger serverDatagrams = new AtomicInteger();
    private final IntPredicate serverToClient;
    private final byte[] clientId;
    volatile DtlsSession session;

    DtlsPipe(byte[] clientId, IntPredicate serverToClient) {
        this.clientId = clientId;
        this.serverToClient = serverToClient;
    }

    /** Server → client. */
    @Override
    public void send(byte[] data, int offset, int length) {
        int index = serverDatagrams.getAndIncrement();
        if (!serverToClient.test(index)) return;
        byte[] copy = new byte[length];
        System.arraycopy(data, offset, copy, 0, length);
        toClient.add(copy);
    }

    DatagramTransport clientTransport() {
        return new ClientQueueTransport(toClient, (buf, off, len) -> session.onDatagram(clientId, buf, off, len));
    }
}
