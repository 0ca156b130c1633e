package dev.chorus.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The sockaddr bytes the worker egress hands to sendmmsg (little-endian family, network-order port). */
class SocketAddressCodecTest {
    private final byte[] out = new byte[SocketAddressCodec.MAX_LENGTH];

    @Test
    void ipv4OnAnIpv4SocketIsASockaddrIn() throws Exception {
        int n = SocketAddressCodec.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 5004),
                Sendmmsg.AF_INET, out);
        assertThat(n).isEqualTo(16);
        assertThat(java.util.Arrays.copyOf(out, 8)).containsExactly(2, 0, 0x13, (byte) 0x8c, 10, 1, 2, 3);
    }

    @Test
    void ipv4OnADualStackSocketIsV4Mapped() throws Exception {
        int n = SocketAddressCodec.encode(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 10000),
                Sendmmsg.AF_INET6, out);
        assertThat(n).isEqualTo(28);
        assertThat(java.util.Arrays.copyOfRange(out, 0, 4)).containsExactly(10, 0, 0x27, 0x10);
        assertThat(java.util.Arrays.copyOfRange(out, 8, 24))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1);
    }

    @Test
    void ipv6CannotGoOutOfAnIpv4Socket() throws Exception {
        assertThat(SocketAddressCodec.encode(new InetSocketAddress(InetAddress.getByName("::1"), 1), Sendmmsg.AF_INET, out))
                .isEqualTo(-1);
    }
}
