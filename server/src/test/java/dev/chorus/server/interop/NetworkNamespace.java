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
public final class NetworkNamespace implements AutoCloseable {
    static final Path IP = Path.of("/usr/sbin/ip");
    static final Path TC = Path.of("/usr/sbin/tc");
    static final Path IPTABLES = Path.of("/usr/sbin/iptables");

    public final String name;
    public final String hostLink;
    public final String peerLink;
    public final String hostAddress;
    public final String clientAddress;

    private NetworkNamespace(String name, String hostLink, String peerLink, String hostAddress, String clientAddress) {
        this.name = name;
        this.hostLink = hostLink;
        this.peerLink = peerLink;
        this.hostAddress = hostAddress;
        this.clientAddress = clientAddress;
    }

    public static void require() {
        RequiredTool.require(Files.isExecutable(IP) && Files.isExecutable(TC) && Files.isExecutable(IPTABLES) && "root".equals(System.getProperty("user.name")),
                "iproute2 (ip, tc), iptables and root, for network namespaces and link loss (apt-get install iproute2 iptables)");
    }

    public static NetworkNamespace create() throws IOException, InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String suffix = Integer.toHexString(random.nextInt(0x100000, 0xffffff));
        int b = random.nextInt(64, 250), c = random.nextInt(0, 256), d = random.nextInt(0, 64) * 4;
        String prefix = "10." + b + "." + c + ".";
        String peerLink = "ci" + suffix + "n";
        NetworkNamespace ns = new NetworkNamespace("chorus-" + suffix, "ci" + suffix + "h", peerLink,
                prefix + (d + 1), prefix + (d + 2));
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
    public List<String> exec(List<String> command) {
        List<String> out = new ArrayList<>(List.of(IP.toString(), "netns", "exec", name));
        out.addAll(command);
        return out;
    }

    /**
     * Drops {@code percent} % of the packets on the link, in both directions, at random (100: a blackout); replaces
     * any earlier loss. With {@code tc netem} where the kernel has it; kernels without {@code sch_netem} (the CI
     * microVMs) get the same random drop from an iptables {@code statistic} rule inside the namespace, which touches
     * nothing outside it.
     */
    public void loss(double percent) throws IOException, InterruptedException {
        clearLoss();
        String p = String.format(java.util.Locale.ROOT, "%.3f", percent);
        if (netemAvailable()) {
            netem("add", "dev", hostLink, "root", "netem", "loss", p + "%");
            inside(TC.toString(), "qdisc", "add", "dev", peerLink, "root", "netem", "loss", p + "%");
            netemActive = true;
            return;
        }
        String probability = String.format(java.util.Locale.ROOT, "%.5f", percent / 100);
        for (String[] chain : new String[][] {{"INPUT", "-i"}, {"OUTPUT", "-o"}}) {
            List<String> rule = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "-A", chain[0], chain[1], peerLink));
            if (percent < 100) rule.addAll(List.of("-m", "statistic", "--mode", "random", "--probability", probability));
            rule.addAll(List.of("-j", "DROP"));
            inside(rule.toArray(String[]::new));
        }
    }

    /**
     * Limits what the namespace receives (the host end's egress: the server's media to a subscriber inside) to
     * {@code bitsPerSecond} with a token bucket ({@code tc tbf}; this kernel has no netem, tbf works) and a queue of
     * 250 ms, beyond which packets are dropped, as a shaped access link (DSL, cable, a mobile uplink) does. The bucket
     * holds one packet (2,000 bytes): a link of that rate serialises packets, it does not pass a burst at line rate (a
     * larger bucket lets a short bandwidth probe through unshaped, and the probe then measures the wrong link).
     * Replaces an earlier limit.
     */
    public void rate(long bitsPerSecond) throws IOException, InterruptedException {
        clearRate();
        long burst = 2000;
        Interop.run(List.of(TC.toString(), "qdisc", "add", "dev", hostLink, "root", "tbf", "rate", bitsPerSecond + "bit",
                "burst", Long.toString(burst), "latency", "250ms"), Map.of(), 10);
        rateActive = true;
    }

    /** Lifts the limit of {@link #rate}. */
    public void clearRate() throws IOException, InterruptedException {
        if (!rateActive) return;
        rateActive = false;
        Interop.run(List.of(TC.toString(), "qdisc", "del", "dev", hostLink, "root"), Map.of(), 10);
    }

    private boolean rateActive;

    /**
     * A default route inside the namespace via the host end, so a server bound to another test namespace's host
     * address (a local address of the root namespace too) is reachable over this namespace's own link.
     */
    public void routeViaHost() throws IOException, InterruptedException {
        inside(IP.toString(), "route", "add", "default", "via", hostAddress);
    }

    /** Cuts the link in both directions (every packet dropped, as {@code loss(100)}) until {@link #restore}. */
    public void blackout() throws IOException, InterruptedException {
        loss(100);
    }

    /** Ends a {@link #blackout} (or any {@link #loss}): the link carries every packet again. */
    public void restore() throws IOException, InterruptedException {
        clearLoss();
    }

    /** Ends the loss of {@link #loss}. */
    public void clearLoss() throws IOException, InterruptedException {
        if (netemActive) {
            netemActive = false;
            netem("del", "dev", hostLink, "root");
            inside(TC.toString(), "qdisc", "del", "dev", peerLink, "root");
        } else if (!netemAvailable()) {
            inside(IPTABLES.toString(), "-w", "-F", "INPUT");
            inside(IPTABLES.toString(), "-w", "-F", "OUTPUT");
        }
    }

    /**
     * Drops {@code percent} % of the packets of each direction at random where they ARRIVE, so the sender never
     * learns of it, as on a real lossy link: what the namespace sends is dropped on entering the host end (an iptables
     * rule in the root namespace's INPUT chain that matches only this test's host link, {@code -i hostLink}), what it
     * receives on entering the namespace. {@link #loss}'s DROP in the namespace's OUTPUT chain is not loss for a sender
     * inside: netfilter fails its {@code sendto} with EPERM, and a Chromium publisher behind such a rule lost 2 of
     * ~900 packets at 5 % (its packets are not dropped silently). Replaces an earlier arrival loss;
     * {@link #clearLossOnArrival} (and {@link #close}) remove the rules.
     */
    public void lossOnArrival(double percent) throws IOException, InterruptedException {
        clearLossOnArrival();
        String probability = String.format(java.util.Locale.ROOT, "%.5f", percent / 100);
        arrivalRule = List.of("INPUT", "-i", hostLink, "-m", "statistic", "--mode", "random", "--probability",
                probability, "-j", "DROP");
        List<String> add = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "-I"));
        add.addAll(arrivalRule);
        Interop.run(add, Map.of(), 10);
        inside(IPTABLES.toString(), "-w", "-A", "INPUT", "-i", peerLink, "-m", "statistic", "--mode", "random",
                "--probability", probability, "-j", "DROP");
    }

    /** Ends the loss of {@link #lossOnArrival}. */
    public void clearLossOnArrival() throws IOException, InterruptedException {
        if (arrivalRule == null) return;
        List<String> del = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "-D"));
        del.addAll(arrivalRule);
        arrivalRule = null;
        Interop.run(del, Map.of(), 10);
        inside(IPTABLES.toString(), "-w", "-F", "INPUT");
    }

    private List<String> arrivalRule;
    private boolean netemActive;
    private static volatile Boolean netem;

    /** Whether this kernel has the netem qdisc (probed once on this namespace's link). */
    private boolean netemAvailable() throws IOException, InterruptedException {
        if (netem == null) {
            try {
                netem("add", "dev", hostLink, "root", "netem", "loss", "0%");
                netem("del", "dev", hostLink, "root");
                netem = true;
            } catch (IOException e) {
                netem = false;
            }
        }
        return netem;
    }

    private static void netem(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(TC.toString(), "qdisc"));
        cmd.addAll(List.of(args));
        Interop.run(cmd, Map.of(), 10);
    }

    private void inside(String... command) throws IOException, InterruptedException {
        Interop.run(exec(List.of(command)), Map.of(), 10);
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(IP.toString()));
        cmd.addAll(List.of(args));
        Interop.run(cmd, Map.of(), 10);
    }

    @Override
    public void close() {
        // Deleting the host end removes the pair; deleting the namespace removes whatever is left inside; the one
        // rule outside it (lossOnArrival's, in the root namespace) is removed first.
        try {
            clearLossOnArrival();
        } catch (IOException | InterruptedException ignored) {
            // already gone
        }
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
