package dev.chorus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator's one-way latency ends where a datagram reached the subscriber's socket, not where the generator got
 * round to reading it: the kernel's receive timestamp, read with recvmmsg (Linux, FFM).
 */
class TimestampedReceiverTest {
    @BeforeAll
    static void linux() {
        dev.chorus.common.testing.RequiredTool.require(TimestampedReceiver.AVAILABLE,
                "Linux with the FFM API (recvmmsg, SO_TIMESTAMPNS) for the load generator's arrival times");
    }

    @Test
    void aDatagramLeftWaitingInTheSocketKeepsItsArrivalTimeAndTheWaitIsTheGeneratorsOwn() throws Exception {
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            receiver.connect(sender.getLocalAddress());
            receiver.configureBlocking(false);
            int fd = TimestampedReceiver.timestampedFd(receiver);
            assertThat(fd).as("the channel's descriptor, timestamps on").isGreaterThanOrEqualTo(0);

            TimestampedReceiver rx = new TimestampedReceiver(Arena.ofAuto());
            assertThat(rx.receive(fd, 64)).as("nothing queued: no blocking, no datagram").isZero();

            long sent = System.nanoTime();
            sender.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), receiver.getLocalAddress());
            sender.send(ByteBuffer.wrap(new byte[] {6, 7}), receiver.getLocalAddress());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60)); // the reader is busy elsewhere
            long read = System.nanoTime();
            assertThat(rx.receive(fd, 64)).as("both datagrams in one call").isEqualTo(2);

            byte[] buf = new byte[MediaEndpoint.MAX_DATAGRAM];
            assertThat(rx.copy(0, buf)).isEqualTo(5);
            assertThat(buf[4]).isEqualTo((byte) 5);
            assertThat(rx.copy(1, buf)).isEqualTo(2);
            for (int i = 0; i < 2; i++) {
                long arrived = rx.arrivalNanos(i, -1);
                assertThat(arrived).as("a kernel stamp").isNotEqualTo(-1);
                // the stamp is taken when the datagram reaches the socket (tens of µs after the send on loopback),
                // long before the read 60 ms later; the bounds leave room for a loaded machine's clock reads.
                assertThat(arrived - sent).as("arrival after the send").isGreaterThan(-TimeUnit.MILLISECONDS.toNanos(1));
                assertThat(read - arrived).as("the wait in the socket is the reader's").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(55));
            }
        }
    }

    @Test
    void theDescriptorFoundIsTheUdpSocketNotATcpOneOnTheSamePortNumber() throws Exception {
        try (ServerSocketChannel tcp = ServerSocketChannel.open();
             DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
            tcp.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
            udp.bind(new InetSocketAddress("127.0.0.1", port)); // TCP and UDP port numbers are separate spaces
            int fd = TimestampedReceiver.timestampedFd(udp);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            assertThat(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString())
                    .startsWith("socket:");
            // Sent to the UDP socket, read through the descriptor found: it is the same socket.
            try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
                sender.send(ByteBuffer.wrap(new byte[] {42}), udp.getLocalAddress());
            }
            TimestampedReceiver rx = new TimestampedReceiver(Arena.ofAuto());
            int got = 0;
            for (int i = 0; i < 100 && got == 0; i++) {
                got = rx.receive(fd, 1);
                if (got == 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertThat(got).isEqualTo(1);
            assertThat(rx.length(0)).isEqualTo(1);
        }
    }
}
