package dev.chorus.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BouncyCastle's view of a test client's socket: receives come from a queue of datagrams (filled by whoever reads
 * the real or simulated socket), sends go to {@code sender}. Receive limit 1500, send limit 1200, as on the wire.
 */
public final class ClientQueueTransport implements DatagramTransport {
    /** Where the client's outgoing datagrams go. */
    @FunctionalInterface
    public interface Sender {
        void send(byte[] buf, int off, int len) throws IOException;
    }

    private final BlockingQueue<byte[]> incoming;
    private final Sender sender;

    public ClientQueueTransport(BlockingQueue<byte[]> incoming, Sender sender) {
        this.incoming = incoming;
        this.sender = sender;
    }

    @Override public int getReceiveLimit() { return 1500; }
    @Override public int getSendLimit() { return 1200; }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        try {
            byte[] d = incoming.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (d == null) return -1;
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        } catch (InterruptedException e) {
            throw new InterruptedIOException();
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        sender.send(buf, off, len);
    }

    @Override public void close() { }
}
