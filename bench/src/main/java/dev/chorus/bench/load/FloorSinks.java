package dev.chorus.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The destinations of the {@link Floor}'s datagrams: {@code count} UDP sockets bound on 127.0.0.1, either never read
 * or drained by one reader thread (a selector over all of them, each readable socket read until empty, the data
 * discarded: what {@link ReceiveLoop} does without the decrypt). Closing stops the reader and closes the sockets.
 */
final class FloorSinks implements AutoCloseable {
    private final DatagramChannel[] channels;
    private final InetSocketAddress[] addresses;
    private final Selector selector;
    private final Thread reader;
    private volatile boolean running = true;

    private FloorSinks(DatagramChannel[] channels, InetSocketAddress[] addresses, Selector selector) {
        this.channels = channels;
        this.addresses = addresses;
        this.selector = selector;
        this.reader = selector == null ? null
                : Thread.ofPlatform().daemon().name("floor-sink-reader").start(this::drainLoop);
    }

    static FloorSinks open(int count, boolean drained) throws IOException {
        DatagramChannel[] channels = new DatagramChannel[count];
        InetSocketAddress[] addresses = new InetSocketAddress[count];
        Selector selector = drained ? Selector.open() : null;
        try {
            for (int i = 0; i < count; i++) {
                channels[i] = DatagramChannel.open();
                channels[i].bind(new InetSocketAddress("127.0.0.1", 0));
                addresses[i] = (InetSocketAddress) channels[i].getLocalAddress();
                if (drained) {
                    channels[i].configureBlocking(false);
                    channels[i].register(selector, SelectionKey.OP_READ);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : channels) if (c != null) c.close();
            if (selector != null) selector.close();
            throw e;
        }
        return new FloorSinks(channels, addresses, selector);
    }

    InetSocketAddress[] addresses() { return addresses.clone(); }

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
