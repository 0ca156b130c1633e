package dev.chorus.bench.sfu;

import dev.chorus.bench.load.LoadMain;
import dev.chorus.media.sfu.ForwardingHarness;
import dev.chorus.media.sfu.ForwardingHarness.Layout;
import dev.chorus.media.srtp.SrtpProfile;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chorus bench paired}: the forwarding cost of two {@link Layout}s of {@link ForwardingHarness} (the worker's
 * real per-packet path, as {@code SfuForwardingBenchmark} runs it) measured interleaved, in the thread's CPU time.
 * JMH runs one layout after the other, so on a shared, loaded machine a change of load between them shows up as a
 * difference of the layouts; here both run in alternating blocks of packets within one JVM (one JIT profile: both
 * paths compiled together, as on a server forwarding both kinds of track), and what a block costs is the CPU time the
 * thread used, which time spent waiting for a core does not count. Reports per published and per forwarded packet
 * and the ratio, with the spread of the per-round ratios. See docs/benchmarks.md ("Issue 12: simulcast selection
 * cost").
 */
@Command(name = "paired", mixinStandardHelpOptions = true,
        description = "Forwarding cost of two ForwardingHarness layouts, interleaved, in thread CPU time (e.g. "
                + "simulcast selection vs the single-stream path).")
public final class PairedCostCommand implements Callable<Integer> {
    @Option(names = "--subscribers", defaultValue = "50", description = "Subscribers. Default: ${DEFAULT-VALUE}")
    int subscribers;
    @Option(names = "--profile", defaultValue = "GCM", description = "SRTP profile: GCM or CM80. Default: ${DEFAULT-VALUE}")
    String profile;
    @Option(names = "--bytes", defaultValue = "1200", description = "Packet size (24-byte header + payload). Default: ${DEFAULT-VALUE}")
    int bytes;
    @Option(names = "--reference", defaultValue = "SINGLE", description = "Reference layout. Default: ${DEFAULT-VALUE}")
    Layout reference;
    @Option(names = "--candidate", defaultValue = "SIMULCAST_TOP", description = "Compared layout. Default: ${DEFAULT-VALUE}")
    Layout candidate;
    @Option(names = "--rounds", defaultValue = "40", description = "Alternating rounds measured. Default: ${DEFAULT-VALUE}")
    int rounds;
    @Option(names = "--block", defaultValue = "2000", description = "Published packets per layout per round. Default: ${DEFAULT-VALUE}")
    int block;
    @Option(names = "--warmup-rings", defaultValue = "3",
            description = "Warm-up passes over each harness's ring before measuring. Default: ${DEFAULT-VALUE}")
    int warmupRings;

    static final int RING = 16384;

    @Override
    public Integer call() {
        SrtpProfile srtp = LoadMain.parseProfile(profile);
        if (srtp == null) throw new IllegalArgumentException("unknown --profile " + profile + " (GCM or CM80)");
        if (rounds < 1 || block < 1) throw new IllegalArgumentException("--rounds and --block must be positive");
        ForwardingHarness[] h = {
                new ForwardingHarness(subscribers, bytes - 24, RING, srtp, reference),
                new ForwardingHarness(subscribers, bytes - 24, RING, srtp, candidate)};
        for (int w = 0; w < warmupRings; w++) {
            for (ForwardingHarness x : h) for (int i = 0; i < RING; i++) x.forwardNext();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] cpu = new long[2];
        long[] forwarded = new long[2];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long[] roundCpu = new long[2];
            long[] roundSent = new long[2];
            // Alternate which goes first, so neither always runs right after the other's cache footprint.
            for (int k = 0; k < 2; k++) {
                int x = (r + k) % 2;
                long sent = h[x].packetsSent();
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < block; i++) h[x].forwardNext();
                roundCpu[x] = threads.getCurrentThreadCpuTime() - t0;
                roundSent[x] = h[x].packetsSent() - sent;
            }
            for (int x = 0; x < 2; x++) {
                cpu[x] += roundCpu[x];
                forwarded[x] += roundSent[x];
            }
            ratios[r] = ((double) roundCpu[1] / roundSent[1]) / ((double) roundCpu[0] / roundSent[0]);
        }
        for (ForwardingHarness x : h) {
            if (x.drops() != 0) throw new IllegalStateException("the harness dropped " + x.drops() + " packets");
            x.close();
        }
        long published = (long) rounds * block;
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "chorus bench paired: 1 -> %d, %s, %d B, %d rounds x %d packets per layout "
                + "(JDK %s)%n", subscribers, srtp, bytes, rounds, block, Runtime.version());
        for (int x = 0; x < 2; x++) {
            System.out.printf(Locale.ROOT, "  %-17s %10.0f ns CPU per published packet, %8.1f ns per forwarded packet "
                            + "(%.2f forwarded per published)%n", x == 0 ? reference : candidate,
                    (double) cpu[x] / published, (double) cpu[x] / forwarded[x], (double) forwarded[x] / published);
        }
        double ratio = ((double) cpu[1] / forwarded[1]) / ((double) cpu[0] / forwarded[0]);
        System.out.printf(Locale.ROOT, "  ratio %s / %s per forwarded packet: %.3f (per-round ratios: median %.3f, "
                        + "p10 %.3f, p90 %.3f)%n", candidate, reference, ratio, ratios[rounds / 2],
                ratios[rounds / 10], ratios[rounds * 9 / 10]);
        return 0;
    }
}
