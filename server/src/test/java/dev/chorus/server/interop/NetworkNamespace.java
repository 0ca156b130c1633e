package dev.chorus.server.interop;

import dev.chorus.common.testing.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace for a WebRTC stack that gathers no loopback candidates (libdatachannel, libnice, aioice): a
 * veth pair whose names do not start with {@code veth} (libnice and werift skip such interfaces), the host end
 * {@link #hostAddress} in the root namespace (where the server listens) and {@link #clientAddress} inside, on a /30
 * of 10.0.0.0/8 drawn at random. Names carry a random suffix, so tests of parallel runs never collide; {@link #close}
 * deletes the namespace and the link. Needs root and iproute2.
 */
final class NetworkNamespace implements AutoCloseable {
    static final Path IP = Path.of("/usr/sbin/ip");

    final String name;
    final String hostLink;
    final String hostAddress;
    final String clientAddress;

    private NetworkNamespace(String name, String hostLink, String hostAddress, String clientAddress) {
        this.name = name;
        this.hostLink = hostLink;
        this.hostAddress = hostAddress;
        this.clientAddress = clientAddress;
    }

    static void require() {
        RequiredTool.require(Files.isExecutable(IP) && "root".equals(System.getProperty("user.name")),
                "iproute2 and root, for network namespaces (apt-get install iproute2)");
    }

    static NetworkNamespace create() throws IOException, InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String suffix = Integer.toHexString(random.nextInt(0x100000, 0xffffff));
        int b = random.nextInt(64, 250), c = random.nextInt(0, 256), d = random.nextInt(0, 64) * 4;
        String prefix = "10." + b + "." + c + ".";
        NetworkNamespace ns = new NetworkNamespace("chorus-" + suffix, "ci" + suffix + "h",
                prefix + (d + 1), prefix + (d + 2));
        String peerLink = "ci" + suffix + "n";
        try {
            ip("netns", "add", ns.name);
            ip("link", "add", ns.hostLink, "type", "veth", "peer", "name", peerLink);
            ip("link", "set", peerLink, "netns", ns.name);
            ip("addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink);
            ip("link", "set", ns.hostLink, "up");
            ip("-n", ns.name, "addr", "add", ns.clientAddress + "/30", "dev", peerLink);
            ip("-n", ns.name, "link", "set", peerLink, "up");
            ip("-n", ns.name, "link", "set", "lo", "up");
            return ns;
        } catch (IOException | InterruptedException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** {@code command} prefixed to run inside the namespace. */
    List<String> exec(List<String> command) {
        List<String> out = new ArrayList<>(List.of(IP.toString(), "netns", "exec", name));
        out.addAll(command);
        return out;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(IP.toString()));
        cmd.addAll(List.of(args));
        Interop.run(cmd, Map.of(), 10);
    }

    @Override
    public void close() {
        // Deleting the host end removes the pair; deleting the namespace removes whatever is left inside.
        try {
            ip("link", "del", hostLink);
        } catch (IOException | InterruptedException ignored) {
            // not created or already gone
        }
        try {
            ip("netns", "del", name);
        } catch (IOException | InterruptedException ignored) {
            // not created or already gone
        }
    }
}
