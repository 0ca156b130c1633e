package dev.chorus.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The destinations of the {@link Floor}'s datagrams: {@code count} UDP sockets bound on 127.0.0.1, either never read
 * or drained by one reader thread (a selector over all of them, each readable socket read until empty, the data
 * discarded: what {@link ReceiveLoop} does without the decrypt; the drained ones with the kernel's arrival stamps on,
 * as the subscribers' sockets have them). Closing stops the reader and closes the sockets.
 */
final class FloorSinks implements AutoCloseable {
    private final DatagramChannel[] channels;
    private final InetSocketAddress[] addresses;
    /** The drained sinks' descriptors (arrival stamps on), or none. */
    private final int[] stampedFds;
    private final Selector selector;
    private final Thread reader;
    private volatile boolean running = true;

    private FloorSinks(DatagramChannel[] channels, InetSocketAddress[] addresses, int[] stampedFds, Selector selector) {
        this.channels = channels;
        this.addresses = addresses;
        this.stampedFds = stampedFds;
        this.selector = selector;
        this.reader = selector == null ? null
                : Thread.ofPlatform().daemon().name("floor-sink-reader").start(this::drainLoop);
    }

    static FloorSinks open(int count, boolean drained) throws IOException {
        DatagramChannel[] channels = new DatagramChannel[count];
        InetSocketAddress[] addresses = new InetSocketAddress[count];
        int[] stampedFds = new int[drained && TimestampedReceiver.AVAILABLE ? count : 0];
        Selector selector = drained ? Selector.open() : null;
        try {
            for (int i = 0; i < count; i++) {
                channels[i] = DatagramChannel.open(StandardProtocolFamily.INET); // as the subscribers' (MediaEndpoint)
                channels[i].bind(new InetSocketAddress("127.0.0.1", 0));
                addresses[i] = (InetSocketAddress) channels[i].getLocalAddress();
                if (drained) {
                    // Stamped like the generator's subscriber sockets (TimestampedReceiver): while any socket on the
                    // host asks for SO_TIMESTAMPNS the kernel stamps every datagram it delivers, on loopback inside the
                    // sender's sendmmsg, so the server's sends pay a clock read per datagram during a load run. The
                    // floor, measured after the run closed those sockets, pays it only if its own sinks ask for it.
                    if (stampedFds.length > 0 && (stampedFds[i] = TimestampedReceiver.timestampedFd(channels[i])) < 0) {
                        throw new IOException("the floor's sink " + addresses[i] + " could not get SO_TIMESTAMPNS");
                    }
                    channels[i].configureBlocking(false);
                    channels[i].register(selector, SelectionKey.OP_READ);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : channels) if (c != null) c.close();
            if (selector != null) selector.close();
            throw e;
        }
        return new FloorSinks(channels, addresses, stampedFds, selector);
    }

    InetSocketAddress[] addresses() { return addresses.clone(); }

    /** The descriptors of the sinks that have the kernel's arrival stamps on (the drained ones, with FFM). */
    int[] stampedDescriptors() { return stampedFds.clone(); }

    private void drainLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        while (running) {
            try {
                if (selector.select(100) == 0) continue;
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel c = (DatagramChannel) k.channel();
                    for (int i = 0; i < ReceiveLoop.BURST; i++) {
                        buffer.clear();
                        if (c.receive(buffer) == null) break;
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        if (selector != null) selector.wakeup();
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (DatagramChannel c : channels) c.close();
        if (selector != null) selector.close();
    }
}
