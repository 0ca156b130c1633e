package dev.chorus.server;

import dev.chorus.common.testing.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dev mode is loopback-only: a second host address, the far end of a veth pair in a network namespace this test
 * creates, reaches none of the dev server's listeners (HTTPS, media UDP, TURN UDP/TCP, metrics), gets no answer to a
 * STUN binding request on the UDP ports, and a capture in the namespace sees nothing from the host but the kernel's
 * refusals (TCP RST, ICMP port unreachable): nothing listens on that address and the server sends nothing toward it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevModeLoopbackIsolationTest {
    static final Path IP = Files.isExecutable(Path.of("/usr/sbin/ip")) ? Path.of("/usr/sbin/ip") : Path.of("/sbin/ip");
    static final Path TCPDUMP = Files.isExecutable(Path.of("/usr/bin/tcpdump")) ? Path.of("/usr/bin/tcpdump")
            : Path.of("/usr/sbin/tcpdump");

    /** Run inside the namespace with the JDK's source launcher: TCP connects and STUN binding requests. */
    static final String PROBE = """
            import java.net.*;
            public class Probe {
                public static void main(String[] a) throws Exception {
                    InetAddress host = InetAddress.getByName(a[0]);
                    for (int i = 1; i < a.length; i++) {
                        String[] kp = a[i].split(":");
                        int port = Integer.parseInt(kp[1]);
                        if (kp[0].equals("tcp")) {
                            String r;
                            try (Socket s = new Socket()) { s.connect(new InetSocketAddress(host, port), 1500); r = "open"; }
                            catch (ConnectException e) { r = "refused"; }
                            catch (SocketTimeoutException e) { r = "timeout"; }
                            System.out.println("tcp " + port + " " + r);
                        } else {
                            byte[] stun = new byte[20];
                            stun[1] = 1; stun[4] = 0x21; stun[5] = 0x12; stun[6] = (byte) 0xA4; stun[7] = 0x42;
                            for (int j = 8; j < 20; j++) stun[j] = (byte) (j * 7 + port);
                            try (DatagramSocket d = new DatagramSocket()) {
                                d.setSoTimeout(1500);
                                d.send(new DatagramPacket(stun, stun.length, host, port));
                                String r;
                                try { d.receive(new DatagramPacket(new byte[1500], 1500)); r = "answered"; }
                                catch (SocketTimeoutException e) { r = "silent"; }
                                catch (PortUnreachableException e) { r = "silent"; }
                                System.out.println("udp " + port + " " + r);
                            }
                        }
                    }
                }
            }
            """;

    @TempDir Path tmp;
    ChorusServer server;
    String ns;
    String hostIf;
    Process capture;

    @AfterEach
    void cleanUp() throws Exception {
        if (server != null) server.close();
        if (capture != null) {
            capture.destroy();
            capture.waitFor(5, TimeUnit.SECONDS);
        }
        if (ns != null) run(false, IP.toString(), "netns", "del", ns); // deletes the namespace's end of the pair
        if (hostIf != null) run(false, IP.toString(), "link", "del", hostIf);
    }

    @Test
    void aSecondAddressReachesNothingAndHearsNothingFromTheDevServer() throws Exception {
        RequiredTool.require("root".equals(System.getProperty("user.name")) || isRoot(),
                "root, to create a network namespace");
        RequiredTool.requireExecutables("iproute2 and tcpdump (apt-get install iproute2 tcpdump)", IP, TCPDUMP);

        byte[] r = new byte[3];
        new SecureRandom().nextBytes(r);
        String suffix = HexFormat.of().formatHex(r).substring(0, 5);
        String prefix = "10." + (200 + (r[0] & 0x1F)) + "." + (r[1] & 0xFF) + ".";
        String hostIp = prefix + "1";
        String nsIp = prefix + "2";
        ns = "chorus-lo-" + suffix;
        String nsIf = "chn" + suffix;
        run(true, IP.toString(), "netns", "add", ns);
        run(true, IP.toString(), "link", "add", "chh" + suffix, "type", "veth", "peer", "name", nsIf);
        hostIf = "chh" + suffix;
        run(true, IP.toString(), "link", "set", nsIf, "netns", ns);
        // no IPv6 on the pair: router solicitations and DAD would be traffic that is not the server's
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/" + hostIf + "/disable_ipv6"), "1");
        run(true, IP.toString(), "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + nsIf + ".disable_ipv6=1");
        run(true, IP.toString(), "addr", "add", hostIp + "/30", "dev", hostIf);
        run(true, IP.toString(), "link", "set", hostIf, "up");
        run(true, IP.toString(), "netns", "exec", ns, IP.toString(), "addr", "add", nsIp + "/30", "dev", nsIf);
        run(true, IP.toString(), "netns", "exec", ns, IP.toString(), "link", "set", nsIf, "up");

        // Everything IPv4 the namespace receives from the host, as text, except the kernel's own IGMP membership
        // reports (sent to 224.0.0.22 when the link comes up; no process of the host sends them).
        Path captured = tmp.resolve("capture.txt");
        Path captureErr = tmp.resolve("capture.err");
        capture = new ProcessBuilder(IP.toString(), "netns", "exec", ns, TCPDUMP.toString(), "-i", nsIf, "-n", "-l",
                "-p", "ip and src host " + hostIp + " and not igmp").redirectOutput(captured.toFile()).redirectError(captureErr.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!Files.readString(captureErr).contains("listening on") && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for tcpdump to attach, bounded
        }
        assertThat(Files.readString(captureErr)).contains("listening on");

        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", tmp.resolve("data").toString(),
                "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_WORKERS", "1",
                "CHORUS_TURN_ENABLED", "true", "CHORUS_TURN_UDP_PORT", "0", "CHORUS_TURN_TCP_PORT", "0",
                "CHORUS_METRICS_PORT", "0"));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(server.mediaAddress().getAddress().isLoopbackAddress()).as("media bind").isTrue();
        assertThat(server.mediaCandidates()).as("announced candidates").isNotEmpty()
                .allSatisfy(c -> assertThat(c.getAddress().isLoopbackAddress()).isTrue());
        assertThat(server.turnAddress().getAddress().isLoopbackAddress()).as("TURN bind").isTrue();
        assertThat(server.metricsAddress().getAddress().isLoopbackAddress()).as("metrics bind").isTrue();

        int media = server.mediaAddress().getPort();
        int turn = server.turnAddress().getPort();
        List<String> probes = List.of("tcp:" + server.port(), "tcp:" + turn, "tcp:" + server.metricsAddress().getPort(),
                "udp:" + media, "udp:" + turn);
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        List<String> cmd = new ArrayList<>(List.of(IP.toString(), "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), probe.toString(), hostIp));
        cmd.addAll(probes);
        String out = run(true, cmd.toArray(String[]::new));
        assertThat(out.lines().toList()).containsExactly("tcp " + server.port() + " refused", "tcp " + turn + " refused",
                "tcp " + server.metricsAddress().getPort() + " refused", "udp " + media + " silent", "udp " + turn + " silent");
        Thread.sleep(500); // let the capture flush the last refusals

        capture.destroy();
        capture.waitFor(5, TimeUnit.SECONDS);
        List<String> fromHost = Files.readAllLines(captured).stream().filter(l -> !l.isBlank()).toList();
        assertThat(fromHost).as("packets from the host to the second address").allSatisfy(line ->
                assertThat(line.contains("Flags [R.]") || line.contains("Flags [R]")
                        || line.matches(".*ICMP .* udp port \\d+ unreachable.*"))
                        .as("only kernel refusals, not: " + line).isTrue());
        assertThat(fromHost).as("the refusals were captured (the capture works)").isNotEmpty();
    }

    private static boolean isRoot() {
        try {
            return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(boolean check, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        if (check) assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
