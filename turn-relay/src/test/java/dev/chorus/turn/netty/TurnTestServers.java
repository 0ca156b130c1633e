package dev.chorus.turn.netty;

import dev.chorus.turn.core.TurnSettings;
import dev.chorus.common.net.AddressRange;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Servers on 127.0.0.1 for socket tests: free ports, a random relay port window, loopback peers optionally allowed. */
public final class TurnTestServers {
    public static final String SECRET = "socket-test-secret-0123456789";

    private TurnTestServers() {}

    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /** A config on loopback; {@code allowLoopbackPeers} opens 127.0.0.0/8 and ::1 (tests only). */
    public static TurnConfig config(boolean allowLoopbackPeers) {
        int base = 40_000 + ThreadLocalRandom.current().nextInt(0, 19) * 1000;
        TurnSettings s = TurnSettings.defaults(loopback()).withRelayPorts(base, base + 999);
        List<AddressRange> allow = allowLoopbackPeers ? List.of(AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128")) : List.of();
        return new TurnConfig(loopback(), freeUdpAndTcpPort(), 0, null, null, List.of(SECRET), s, allow, List.of(),
                List.of(), true);
    }

    /** A port free for both UDP and TCP right now (TURN listens on both with one number). */
    public static int freeUdpAndTcpPort() {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(loopback(), 0))) {
                int p = d.getLocalPort();
                try (ServerSocket s = new ServerSocket(p, 1, loopback())) {
                    return s.getLocalPort();
                } catch (Exception busy) {
                    // try another
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no free port");
    }
}
