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
     * Drops {@code percent} % of the packets of each direction of the link at random (100: every packet, a blackout),
     * where they ARRIVE, so the sender never learns of it, as on a real lossy or cut link: what the namespace sends is
     * dropped on entering the root namespace (iptables rules in its INPUT and FORWARD chains that match only this
     * test's host link, {@code -i hostLink}), what it receives on entering the namespace (its INPUT chain, {@code -i
     * peerLink}). A DROP in the namespace's OUTPUT chain would not be loss for a sender inside: netfilter fails its
     * {@code sendto} with EPERM, so Chromium sees an error rather than a silent loss (a Chromium publisher behind such a
     * rule lost 2 of ~900 packets at "5 %"). No netem: the CI kernels have no {@code sch_netem}, and iptables'
     * {@code statistic} match drops whole datagrams at random as netem's {@code loss} does. Replaces an earlier loss;
     * {@link #clearLoss} and {@link #close} (also after a failed test) remove every rule added.
     */
    public void loss(double percent) throws IOException, InterruptedException {
        clearLoss();
        List<String> match = new ArrayList<>();
        if (percent < 100) {
            match.addAll(List.of("-m", "statistic", "--mode", "random", "--probability",
                    String.format(java.util.Locale.ROOT, "%.5f", percent / 100)));
        }
        match.addAll(List.of("-j", "DROP"));
        for (String chain : List.of("INPUT", "FORWARD")) addRule(false, chain, hostLink, match);
        addRule(true, "INPUT", peerLink, match);
    }

    /** Ends the loss of {@link #loss} (and a {@link #blackout}): removes every rule it added, inside and outside. */
    public void clearLoss() throws IOException, InterruptedException {
        IOException failed = null;
        while (!lossRules.isEmpty()) {
            List<String> rule = lossRules.removeLast();
            List<String> del = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "-D"));
            del.addAll(rule.subList(1, rule.size()));
            try {
                Interop.run("in".equals(rule.getFirst()) ? exec(del) : del, Map.of(), 10);
            } catch (IOException e) {
                failed = e; // remove the others anyway
            }
        }
        if (failed != null) throw failed;
    }

    /** Cuts the link in both directions, silently (every arriving packet dropped: {@code loss(100)}) until {@link #restore}. */
    public void blackout() throws IOException, InterruptedException {
        loss(100);
    }

    /** Ends a {@link #blackout} (or any {@link #loss}): the link carries every packet again. */
    public void restore() throws IOException, InterruptedException {
        clearLoss();
    }

    /**
     * Inserts {@code -i link <match>} at the top of {@code chain}, inside the namespace or in the root namespace, and
     * remembers it for {@link #clearLoss} (an iptables command adds its rule whole or not at all).
     */
    private void addRule(boolean inside, String chain, String link, List<String> match)
            throws IOException, InterruptedException {
        List<String> rule = new ArrayList<>(List.of(inside ? "in" : "root", chain, "-i", link));
        rule.addAll(match);
        List<String> add = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "-I"));
        add.addAll(rule.subList(1, rule.size()));
        Interop.run(inside ? exec(add) : add, Map.of(), 10);
        lossRules.add(rule);
    }

    /** Rules of {@link #loss} in place: "in" or "root", then the chain and the rule's specification. */
    private final List<List<String>> lossRules = new ArrayList<>();

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
        // Deleting the host end removes the pair; deleting the namespace removes whatever is left inside; the rules
        // outside it (loss's, in the root namespace) are removed first.
        try {
            clearLoss();
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
