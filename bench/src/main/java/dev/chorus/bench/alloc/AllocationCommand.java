package dev.chorus.bench.alloc;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.chorus.media.sfu.ForwardingHarness;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpProfile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chorus bench alloc}: who allocates on the forwarding path, per forwarded packet, by owner (Chorus code,
 * jitsi-srtp, ...). Runs the worker's real per-packet path ({@link ForwardingHarness}, as {@code
 * SfuForwardingBenchmark} does) until C2 has compiled it, then records every allocation of a measured stretch with
 * JFR and attributes it ({@link AllocationSites}). The JVM must run without TLABs so that every allocation is an
 * event; the command relaunches itself with {@code -XX:-UseTLAB} when needed. See docs/benchmarks.md.
 */
@Command(name = "alloc", mixinStandardHelpOptions = true,
        description = "Bytes allocated per forwarded packet on the SFU's forwarding path, by owner (Chorus code vs "
                + "libraries), exact (JFR without TLABs). Exit 3 when Chorus code allocates.")
public final class AllocationCommand implements Callable<Integer> {
    private static final String SCOPE = "ForwardingHarness.forwardNext";
    private static final List<String> HARNESS = List.of(
            "dev.chorus.media.sfu.ForwardingHarness", "dev.chorus.media.sfu.LoopbackLink");

    @Option(names = "--subscribers", defaultValue = "50", description = "Receivers (of the track, or spread over its layers: --layout). Default: ${DEFAULT-VALUE}")
    int subscribers;
    @Option(names = "--profile", defaultValue = "GCM", description = "SRTP profile: GCM or CM80. Default: ${DEFAULT-VALUE}")
    String profile;
    @Option(names = "--bytes", defaultValue = "1200", description = "Packet size (24-byte header + payload). Default: ${DEFAULT-VALUE}")
    int bytes;
    @Option(names = "--warmup-rings", defaultValue = "3",
            description = "Warm-up passes over the ring of 16384 prepared packets before measuring. Default: ${DEFAULT-VALUE}")
    int warmupRings;
    @Option(names = "--packets", defaultValue = "5000",
            description = "Published packets measured (each forwarded to every subscriber; < 16383). Default: ${DEFAULT-VALUE}")
    int packets;
    @Option(names = "--layout", defaultValue = "SINGLE",
            description = "What is published and who receives what (issue 12): SINGLE, SIMULCAST_TOP, SINGLE_PER_LAYER "
                    + "or SIMULCAST_MIX (ForwardingHarness.Layout). Default: ${DEFAULT-VALUE}")
    ForwardingHarness.Layout layout;
    @Option(names = "--sites", defaultValue = "12", description = "Allocation sites listed. Default: ${DEFAULT-VALUE}")
    int sites;

    static final int RING = 16384;
    private long forwardedInWindow;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (packets < 1 || packets >= RING) throw new IllegalArgumentException("--packets must be in 1.." + (RING - 1));
        if (tlabsOn()) return relaunchWithoutTlabs();
        SrtpProfile srtp = dev.chorus.bench.load.LoadMain.parseProfile(profile);
        if (srtp == null) throw new IllegalArgumentException("unknown --profile " + profile + " (GCM or CM80)");
        ForwardingHarness harness = new ForwardingHarness(subscribers, bytes - 24, RING, srtp, layout);
        // Warm up whole rings, plus one packet: the ring restart (new SRTP contexts, key derivations) happens on the
        // first packet of a pass, so the measured stretch that follows is steady state only.
        long warm = (long) warmupRings * RING + 1;
        for (long i = 0; i < warm; i++) harness.forwardNext();
        Path jfr = Files.createTempFile("chorus-alloc", ".jfr");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.start();
            long sentBefore = harness.packetsSent();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < packets; i++) harness.forwardNext();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            forwardedInWindow = harness.packetsSent() - sentBefore;
            recording.stop();
            recording.dump(jfr);
        }
        if (harness.drops() != 0) throw new IllegalStateException("the harness dropped " + harness.drops() + " packets");
        AllocationSites sites = new AllocationSites(SCOPE, HARNESS);
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) sites.accept(file.readEvent());
        } finally {
            Files.deleteIfExists(jfr);
        }
        print(srtp, allocated, sites);
        AllocationSites.Tally chorus = sites.byOwner().get("chorus");
        return chorus == null || chorus.bytes == 0 ? 0 : 3;
    }

    private void print(SrtpProfile srtp, long allocated, AllocationSites sites) {
        System.out.printf(Locale.ROOT, "chorus bench alloc: 1 -> %d, %s, %s, %d B, %d packets measured after %d warm-up passes "
                        + "(SRTP provider %s, JDK %s)%n", subscribers, layout, srtp, bytes, packets, warmupRings,
                SrtpEncryptor.cryptoProvider(), Runtime.version());
        long forwarded = forwardedInWindow;
        System.out.printf(Locale.ROOT, "thread total: %.1f B per published packet, %.2f B per forwarded packet "
                        + "(%.2f forwarded per published)%n", (double) allocated / packets,
                (double) allocated / Math.max(1, forwarded), (double) forwarded / packets);
        System.out.println("by owner (B per published packet, allocations per published packet):");
        for (Map.Entry<String, AllocationSites.Tally> e : sites.byOwner().entrySet()) {
            System.out.printf(Locale.ROOT, "  %-12s %10.1f B %8.2f allocs%n", e.getKey(),
                    (double) e.getValue().bytes / packets, (double) e.getValue().count / packets);
        }
        if (!sites.byOwner().containsKey("chorus")) System.out.printf("  %-12s %10.1f B%n", "chorus", 0.0);
        System.out.println("top sites (innermost non-JDK frame -> allocated type):");
        for (Map.Entry<String, AllocationSites.Tally> e : sites.topSites(this.sites)) {
            System.out.printf(Locale.ROOT, "  %10.1f B  %s%n", (double) e.getValue().bytes / packets, e.getKey());
        }
    }

    private static boolean tlabsOn() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return Boolean.parseBoolean(hotspot.getVMOption("UseTLAB").getValue());
    }

    /** Runs this command again in a JVM without TLABs (and deep enough stacks), passing the same options. */
    private int relaunchWithoutTlabs() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:-UseTLAB", "-XX:FlightRecorderOptions:stackdepth=128",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.chorus.bench.load.LoadMain"));
        // The same command line, as given (an option added later is passed on without touching this method).
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
