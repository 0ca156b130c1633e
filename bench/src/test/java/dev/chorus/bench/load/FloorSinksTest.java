package dev.chorus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The floor's drained sinks are the generator's subscriber sockets without the decrypt: IPv4 like theirs, and with
 * the kernel's arrival stamps on like theirs, since on loopback the stamp is taken inside the sender's call and so is
 * part of what a send costs (the load run's server pays it for every datagram it forwards).
 */
class FloorSinksTest {
    @BeforeAll
    static void linux() {
        dev.chorus.common.testing.RequiredTool.require(TimestampedReceiver.AVAILABLE,
                "Linux with the FFM API (SO_TIMESTAMPNS) for the load generator's arrival times");
    }

    @Test
    void drainedSinksAreIpv4LoopbackSocketsWithArrivalStampsOn() throws Exception {
        try (FloorSinks sinks = FloorSinks.open(3, true)) {
            for (InetSocketAddress a : sinks.addresses()) {
                assertThat(a.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            }
            int[] fds = sinks.stampedDescriptors();
            assertThat(fds).hasSize(3);
            for (int fd : fds) assertThat(TimestampedReceiver.timestampsOn(fd)).as("fd %d stamped", fd).isTrue();
        }
    }

    @Test
    void theNeverReadSinkIsNotStampedAndTheCheckTellsTheTwoApart() throws Exception {
        try (FloorSinks sinks = FloorSinks.open(1, false);
             DatagramChannel plain = DatagramChannel.open(StandardProtocolFamily.INET)) {
            assertThat(sinks.stampedDescriptors()).isEmpty();
            plain.bind(new InetSocketAddress("127.0.0.1", 0));
            int fd = TimestampedReceiver.descriptorOf(plain);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            assertThat(TimestampedReceiver.timestampsOn(fd)).as("a socket nobody asked stamps for").isFalse();
            assertThat(TimestampedReceiver.timestampedFd(plain)).isEqualTo(fd);
            assertThat(TimestampedReceiver.timestampsOn(fd)).as("after asking").isTrue();
        }
    }
}
