package dev.chorus.turn.netty;

import dev.chorus.common.testing.RequiredTool;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a TURN client we did not write: coturn's {@code turnutils_uclient} allocates through our server
 * with TURN REST credentials ({@code -W secret -u user}) and relays to {@code turnutils_peer} (an echo peer) on
 * loopback, which only this test's configuration allows. Asserts on the client's own loss report.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoturnInteropTest {
    static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    static final Pattern LOSS = Pattern.compile("Total lost packets (\\d+) \\(([0-9.]+)%\\)");
    static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$", Pattern.MULTILINE);

    @TempDir
    Path tmp;
    final List<Process> processes = new ArrayList<>();
    TurnServer server;

    @BeforeAll
    static void binariesPresent() {
        RequiredTool.requireExecutables("coturn client tools (apt-get install coturn)", UCLIENT, PEER);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (server != null) server.stop();
    }

    void startServer(boolean legacyChannels) throws Exception {
        TurnConfig c = TurnTestServers.config(true).withPorts(TurnTestServers.freeUdpAndTcpPort(), 0);
        c = c.withSettings(c.settings().withMaxCredentialTtlSeconds(2 * 86_400)  // uclient's usernames expire in one day
                .withLegacyChannelRange(legacyChannels));
        server = new TurnServer(c, new SimpleMeterRegistry());
        server.start();
    }

    int startPeer() throws Exception {
        // a free UDP port that is none of the server's listener port numbers (the TLS listener's ephemeral TCP port
        // can carry the same number, and the peer policy refuses the server's own ports)
        java.util.Set<Integer> own = new java.util.HashSet<>();
        own.add(server.udpAddress().getPort());
        if (server.tlsAddress() != null) own.add(server.tlsAddress().getPort());
        int port = -1;
        for (int i = 0; i < 10 && port < 0; i++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                if (!own.contains(s.getLocalPort())) port = s.getLocalPort();
            }
        }
        if (port < 0) throw new IllegalStateException("no UDP port apart from the server's own");
        Process p = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("peer-" + port + ".log").toFile()).start();
        processes.add(p);
        return port;
    }

    /** Runs uclient to completion (bounded) and returns its output. */
    String uclient(List<String> flags, int serverPort, int peerPort) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(UCLIENT.toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-W", TurnTestServers.SECRET, "-u", "interop-user", "-e", "127.0.0.1",
                "-r", String.valueOf(peerPort), "-p", String.valueOf(serverPort), "127.0.0.1"));
        Path out = tmp.resolve("uclient-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        processes.add(p);
        boolean finished = p.waitFor(90, TimeUnit.SECONDS);
        String text = read(out);
        assertThat(finished).as("uclient finished in time; output:\n%s", text).isTrue();
        return text;
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    void assertNoLoss(String output, int expectedMessages) {
        String refusals = server.onLoop(c -> {
            StringBuilder sb = new StringBuilder("server refusals:");
            for (dev.chorus.turn.core.Refusal r : dev.chorus.turn.core.Refusal.values()) {
                if (c.refusals(r) > 0) sb.append(' ').append(r).append('=').append(c.refusals(r));
            }
            return sb.append(" to_peer=").append(c.packetsToPeer()).append(" to_client=").append(c.packetsToClient()).toString();
        });
        output = output + "\n" + refusals;
        Matcher loss = LOSS.matcher(output);
        assertThat(loss.find()).as("loss line in uclient output:\n%s", output).isTrue();
        assertThat(Integer.parseInt(loss.group(1))).as(output).isZero();
        assertThat(Double.parseDouble(loss.group(2))).isZero();
        Matcher totals = TOTALS.matcher(output);
        String last = null;
        while (totals.find()) last = totals.group(0);
        assertThat(last).as(output).isNotNull();
        Matcher t = TOTALS.matcher(last);
        assertThat(t.find()).isTrue();
        // -n per client, -m clients; RTCP sessions (without -c) add their own messages on top
        assertThat(Integer.parseInt(t.group(1))).as(output).isGreaterThanOrEqualTo(expectedMessages);
        assertThat(Integer.parseInt(t.group(2))).as("every message came back").isEqualTo(Integer.parseInt(t.group(1)));
    }

    void assertServerRelayed(long atLeast) {
        assertThat(server.coreErrors()).isZero();
        long toPeer = server.onLoop(c -> c.packetsToPeer());
        long toClient = server.onLoop(c -> c.packetsToClient());
        assertThat(toPeer).isGreaterThanOrEqualTo(atLeast);
        assertThat(toClient).isGreaterThanOrEqualTo(atLeast);
        long created = server.onLoop(c -> c.allocationsCreated());
        assertThat(created).isPositive();
    }

    @Test
    void udpWithChannelsAndRtcpReservations() throws Exception {
        startServer(true);  // coturn 4.6 picks channel numbers up to 0x7FFF (RFC 5766)
        int peer = startPeer();
        String out = uclient(List.of("-n", "100", "-m", "5", "-l", "170"), server.udpAddress().getPort(), peer);
        assertNoLoss(out, 500);
        assertServerRelayed(500);
    }

    @Test
    void udpWithSendIndicationsOnTheDefaultChannelRange() throws Exception {
        startServer(false);
        int peer = startPeer();
        String out = uclient(List.of("-s", "-n", "100", "-m", "5", "-l", "170"), server.udpAddress().getPort(), peer);
        assertNoLoss(out, 500);
        assertServerRelayed(500);
    }

    @Test
    void tcp() throws Exception {
        startServer(true);
        int peer = startPeer();
        String out = uclient(List.of("-t", "-n", "100", "-m", "5", "-l", "170"), server.tcpAddress().getPort(), peer);
        assertNoLoss(out, 500);
        assertServerRelayed(500);
    }

    @Test
    void tlsWithAGeneratedCertificate() throws Exception {
        TurnConfig c = TurnTestServers.config(true);
        c = c.withSettings(c.settings().withMaxCredentialTtlSeconds(2 * 86_400).withLegacyChannelRange(true));
        server = new TurnServer(c, new SimpleMeterRegistry());
        server.start();
        int peer = startPeer();
        String out = uclient(List.of("-S", "-t", "-c", "-n", "50", "-m", "2", "-l", "170"), server.tlsAddress().getPort(), peer);
        assertNoLoss(out, 100);
        assertServerRelayed(100);
    }
}
