package dev.chorus.bench.load;

import dev.chorus.media.srtp.SrtpProfile;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chorus bench load|storm|floor}: drives a running Chorus server (loopback only) with real participants, or
 * starts one itself with {@code --spawn-server}, and writes a JSON report under {@code bench-results/}.
 * See docs/benchmarks.md ("Load generator").
 */
@Command(name = "chorus bench", mixinStandardHelpOptions = true, subcommands = {
        LoadMain.Load.class, LoadMain.Storm.class, LoadMain.FloorOnly.class, LoadMain.SoakCommand.class,
        dev.chorus.bench.alloc.AllocationCommand.class, dev.chorus.bench.sfu.PairedCostCommand.class},
        description = "Load generator: SFU forwarding load, join storm, and the machine's floor.")
public final class LoadMain {
    /** Where the server is and how to reach it. */
    static final class TargetOptions {
        @Option(names = "--url", defaultValue = "https://localhost:8443",
                description = "Base URL of a running server (loopback only). Default: ${DEFAULT-VALUE}")
        URI url;
        @Option(names = "--data-dir", defaultValue = "./chorus-data",
                description = "The server's data directory (TLS certificate, dev API key). Default: ${DEFAULT-VALUE}")
        Path dataDir;
        @Option(names = "--pid", description = "Server pid for CPU accounting (default: the process listening on the URL's port).")
        Long pid;
        @Option(names = "--media-port", defaultValue = "10000",
                description = "The server's media UDP port (media.udpPort). Default: ${DEFAULT-VALUE}")
        int mediaPort;
        @Option(names = "--spawn-server", description = "Start a dev-mode server in a temp data dir and stop it afterwards.")
        boolean spawn;
        @Option(names = "--profile", defaultValue = "GCM",
                description = "SRTP profile the clients offer: GCM (AEAD_AES_128_GCM) or CM80 (AES_CM_128_HMAC_SHA1_80).")
        String profile;
        @Option(names = "--max-participants", defaultValue = "300", description = "Refuse runs above this many participants.")
        int maxParticipants;
        @Option(names = "--out", defaultValue = "bench-results", description = "Directory for the JSON report.")
        Path out;
        @Option(names = "--gc-log", description = "The running server's GC and safepoint log (-Xlog:gc,safepoint:file=PATH:utctime; a "
                + "GC-only log is read too, G1/Parallel/Serial only), for the pauses in the window. A spawned server "
                + "always writes one; it is copied next to the report.")
        Path gcLog;
        @Option(names = "--server-jvm-opt", description = "Extra JVM option for a spawned server (repeatable).")
        List<String> serverJvmOptions = new java.util.ArrayList<>();

        SrtpProfile srtpProfile() {
            SrtpProfile p = parseProfile(profile);
            if (p == null) throw new CommandLine.ParameterException(new CommandLine(this), "unknown --profile " + profile);
            return p;
        }

        ServerTarget connect() throws Exception {
            if (spawn) {
                int port = ServerTarget.freeUdpPort();
                mediaPort = port;
                return ServerTarget.spawn(Map.of("CHORUS_MEDIA_UDP_PORT", Integer.toString(port)), serverJvmOptions, 180_000);
            }
            return ServerTarget.existing(url, dataDir, pid).gcLog(gcLog);
        }
    }

    static long millis(String d) {
        String s = d.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) return Long.parseLong(s.substring(0, s.length() - 2));
        if (s.endsWith("s")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000);
        if (s.endsWith("m")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000);
        return Math.round(Double.parseDouble(s) * 1000);
    }

    /** A duration in microseconds: "500us", "1ms", "0" (a bare number is microseconds). */
    static long micros(String d) {
        String s = d.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("us")) return Long.parseLong(s.substring(0, s.length() - 2));
        if (s.endsWith("ms") || s.endsWith("s") || s.endsWith("m")) return millis(s) * 1000;
        return Long.parseLong(s);
    }

    static Map<String, Object> serverInfo(ServerTarget t, int mediaPort) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", t.baseUrl().toString());
        m.put("pid", t.pid());
        m.put("spawned", t.spawned());
        m.put("mediaPort", mediaPort);
        return m;
    }

    static String command(String sub, String[] args) {
        return "chorus bench " + sub + (args.length == 0 ? "" : " " + String.join(" ", args));
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "P publishers -> S subscribers in R rooms; server CPU per forwarded packet vs the floor.")
    static final class Load implements Callable<Integer> {
        @Mixin TargetOptions target = new TargetOptions();
        @Option(names = "--rooms", defaultValue = "1") int rooms;
        @Option(names = "--publishers", defaultValue = "1", description = "Publishers per room.") int publishers;
        @Option(names = "--subscribers", defaultValue = "10", description = "Subscribers per room.") int subscribers;
        @Option(names = "--duration", defaultValue = "20s", description = "Measurement window (after warm-up).") String duration;
        @Option(names = "--warmup", defaultValue = "3s") String warmup;
        @Option(names = "--streams", defaultValue = "video,audio", split = ",", description = "video and/or audio per publisher.")
        List<String> streams;
        @Option(names = "--video-kbps", defaultValue = "1500") int videoKbps;
        @Option(names = "--video-bytes", defaultValue = "1200", description = "RTP packet size of video (header included).") int videoBytes;
        @Option(names = "--audio-bytes", defaultValue = "100", description = "RTP packet size of audio (Opus-like).") int audioBytes;
        @Option(names = "--audio-pps", defaultValue = "50") int audioPps;
        @Option(names = "--setup-timeout", defaultValue = "30s") String setupTimeout;
        @Option(names = "--no-floor", description = "Skip the floor measurement.") boolean noFloor;
        @Option(names = "--receive-threads", defaultValue = "1",
                description = "Generator threads reading every subscriber socket (selector + in-place decrypt). Default: ${DEFAULT-VALUE}")
        int receiveThreads;
        @Option(names = "--receive-batch", defaultValue = "0",
                description = "After each read pass the receive threads sleep this long (e.g. 500us) so that one wake-up reads"
                        + " what the server sent meanwhile: fewer wake-ups of the generator, fewer preemptions of the server on"
                        + " a shared machine. The wait is the generator's (generatorReceiveDelay), not the one-way latency's"
                        + " (kernel arrival times). 0 = read as soon as a socket is readable. Default: ${DEFAULT-VALUE}")
        String receiveBatch;
        @Option(names = "--floor-packets", defaultValue = "200000",
                description = "At least this many packets per floor measurement (fewer are noisy). Default: ${DEFAULT-VALUE}")
        long floorPackets;
        String[] args = new String[0];

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            Report report = new Report("load", command("load", args));
            SrtpProfile profile = target.srtpProfile();
            boolean video = streams.contains("video");
            boolean audio = streams.contains("audio");
            LoadRun.Options o = new LoadRun.Options(rooms, publishers, subscribers, millis(warmup), millis(duration),
                    video, audio, videoKbps, videoBytes, audioBytes, audioPps, profile, target.maxParticipants,
                    millis(setupTimeout), 8, receiveThreads, micros(receiveBatch));
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("rooms", rooms); cfg.put("publishersPerRoom", publishers); cfg.put("subscribersPerRoom", subscribers);
            cfg.put("profile", profile.name()); cfg.put("streams", streams); cfg.put("videoKbps", videoKbps);
            cfg.put("videoPacketBytes", videoBytes); cfg.put("videoPps", o.videoPps());
            cfg.put("audioPacketBytes", audioBytes); cfg.put("audioPps", audioPps);
            cfg.put("warmupSeconds", o.warmupMillis() / 1e3); cfg.put("durationSeconds", o.durationMillis() / 1e3);
            cfg.put("receiveThreads", receiveThreads); cfg.put("receiveBatchMicros", o.receiveBatchMicros());
            report.put("config", cfg);
            Map<String, Object> load;
            try (ServerTarget t = target.connect()) {
                report.put("server", serverInfo(t, target.mediaPort));
                out.println("chorus bench load: " + o.participants() + " participants against " + t.baseUrl() + " (pid " + t.pid() + ")");
                load = new LoadRun(t, o).run(target.mediaPort);
                t.copyGcLog(target.out, report.stamp() + "-load-server-gc.log");
            }
            report.put("load", load);
            if (!noFloor) {
                // Two floors for the same packets: delivered to drained sockets (what the server's sends to live
                // subscribers pay over loopback, the one the ratio is taken against) and to one never-read socket (the
                // kernel drops at enqueue: cheaper; kept for comparison with earlier reports). See Floor's comment.
                Map<String, Object> floor = new LinkedHashMap<>();
                double serverCpuNanos = ((Number) load.get("serverCpuSeconds")).doubleValue() * 1e9;
                for (Floor.Sink sink : List.of(Floor.Sink.READ, Floor.Sink.NEVER_READ)) {
                    String suffix = sink == Floor.Sink.READ ? "" : "NeverReadSink";
                    double floorCpuNanos = 0;
                    long received = 0;
                    for (String kind : List.of("video", "audio")) {
                        long n = LoadRun.receivedOfKind(load, kind);
                        if (n == 0) continue;
                        int bytes = kind.equals("video") ? videoBytes : audioBytes;
                        Floor.Result r = Floor.measure(profile, bytes, subscribers,
                                Math.clamp(n, floorPackets, Math.max(floorPackets, 2_000_000)), 30_000, sink);
                        floor.put(kind + suffix, r.toMap());
                        floorCpuNanos += n * r.cpuNanosPerPacket();
                        received += n;
                    }
                    Map<String, Object> eff = new LinkedHashMap<>();
                    eff.put("floorCpuSecondsForTheSamePackets", floorCpuNanos / 1e9);
                    eff.put("serverCpuSeconds", serverCpuNanos / 1e9);
                    eff.put("ratioToFloor", floorCpuNanos == 0 ? Double.NaN : serverCpuNanos / floorCpuNanos);
                    double net = ((Number) load.get("serverCpuNanosPerForwardedPacketNetOfIdle")).doubleValue() * received;
                    eff.put("ratioToFloorNetOfIdle", floorCpuNanos == 0 ? Double.NaN : net / floorCpuNanos);
                    eff.put("efficiencyPercent", serverCpuNanos == 0 ? Double.NaN : 100.0 * floorCpuNanos / serverCpuNanos);
                    eff.put("floorPacketsPerCpuSecond", floorCpuNanos == 0 ? Double.NaN : received / (floorCpuNanos / 1e9));
                    floor.put("efficiency" + suffix, eff);
                }
                report.put("floor", floor);
            }
            Path file = report.write(target.out, "load");
            report.printTable(out);
            out.println("report: " + file);
            lastReport = file;
            return ((List<?>) load.get("errors")).isEmpty() ? 0 : 3;
        }
    }

    @Command(name = "storm", mixinStandardHelpOptions = true,
            description = "C clients join at once (token, WebSocket join, publish, ICE + DTLS); handshakes/s, time to connected.")
    static final class Storm implements Callable<Integer> {
        @Mixin TargetOptions target = new TargetOptions();
        @Option(names = "--clients", defaultValue = "200") int clients;
        @Option(names = "--per-room", defaultValue = "10", description = "Clients per room.") int perRoom;
        @Option(names = "--timeout", defaultValue = "90s", description = "Per-client deadline.") String timeout;
        String[] args = new String[0];

        @Override
        public Integer call() throws Exception {
            Report report = new Report("storm", command("storm", args));
            SrtpProfile profile = target.srtpProfile();
            report.put("config", Map.of("clients", clients, "perRoom", perRoom, "profile", profile.name()));
            Map<String, Object> r;
            try (ServerTarget t = target.connect()) {
                report.put("server", serverInfo(t, target.mediaPort));
                System.out.println("chorus bench storm: " + clients + " clients against " + t.baseUrl() + " (pid " + t.pid() + ")");
                r = new JoinStorm(t, new JoinStorm.Options(clients, perRoom, profile, millis(timeout), target.maxParticipants))
                        .run(target.mediaPort);
            }
            report.put("storm", r);
            Path file = report.write(target.out, "storm");
            report.printTable(System.out);
            System.out.println("report: " + file);
            lastReport = file;
            return 0;
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "N participants join and leave every second; server heap after GC, buffers, leaks, fds, "
                    + "threads and errors over time, with a pass/fail verdict (exit 4 on fail).")
    static final class SoakCommand implements Callable<Integer> {
        @Mixin TargetOptions target = new TargetOptions();
        @Option(names = "--churn", defaultValue = "20", description = "Participants joining (and leaving) per second. Default: ${DEFAULT-VALUE}")
        int churn;
        @Option(names = "--rooms", defaultValue = "4", description = "Rooms the churners are spread over (one steady subscriber each).")
        int rooms;
        @Option(names = "--duration", defaultValue = "30m") String duration;
        @Option(names = "--sample", defaultValue = "30s", description = "Health sample period (each forces a full GC in the server).")
        String sample;
        @Option(names = "--warmup", defaultValue = "30s", description = "Churn before the first (baseline) sample.") String warmup;
        @Option(names = "--timeout", defaultValue = "30s", description = "Per-stage deadline of a participant.") String timeout;
        String[] args = new String[0];

        @Override
        public Integer call() throws Exception {
            Report report = new Report("soak", command("soak", args));
            Soak.Options o = new Soak.Options(churn, rooms, millis(duration), millis(sample), millis(warmup),
                    target.srtpProfile(), millis(timeout));
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("churnPerSecond", churn); cfg.put("rooms", rooms); cfg.put("durationSeconds", o.durationMillis() / 1e3);
            cfg.put("sampleSeconds", o.sampleMillis() / 1e3); cfg.put("warmupSeconds", o.warmupMillis() / 1e3);
            cfg.put("profile", o.profile().name()); cfg.put("serverJvmOptions", target.serverJvmOptions);
            report.put("config", cfg);
            Map<String, Object> r;
            try (ServerTarget t = target.connect()) {
                report.put("server", serverInfo(t, target.mediaPort));
                System.out.println("chorus bench soak: " + churn + " participants/s for " + duration + " against "
                        + t.baseUrl() + " (pid " + t.pid() + ")");
                r = new Soak(t, o).run(target.mediaPort, System.out);
            }
            report.put("soak", r);
            Path file = report.write(target.out, "soak");
            @SuppressWarnings("unchecked")
            Map<String, Object> verdict = (Map<String, Object>) r.get("verdict");
            System.out.println("soak verdict: " + verdict);
            System.out.println("report: " + file);
            lastReport = file;
            if (Boolean.TRUE.equals(verdict.get("passed"))) return 0;
            System.err.println("SOAK FAILED: " + verdict.get("failures") + " (report: " + file + ")");
            return 4;
        }
    }

    @Command(name = "floor", mixinStandardHelpOptions = true,
            description = "Only the floor: protect + sendmmsg over loopback, CPU per packet.")
    static final class FloorOnly implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "GCM") String profile;
        @Option(names = "--bytes", defaultValue = "1200") int bytes;
        @Option(names = "--batch", defaultValue = "10") int batch;
        @Option(names = "--packets", defaultValue = "500000") long packets;
        @Option(names = "--sink", defaultValue = "READ",
                description = "READ: one socket per stream, drained (what a server's sends pay); NEVER_READ: one "
                        + "socket nobody reads (drops at enqueue, cheaper). Default: ${DEFAULT-VALUE}")
        Floor.Sink sink;
        @Option(names = "--out", defaultValue = "bench-results") Path out;
        String[] args = new String[0];

        @Override
        public Integer call() throws Exception {
            TargetOptions t = new TargetOptions();
            t.profile = profile;
            Report report = new Report("floor", command("floor", args));
            report.put("floor", Floor.measure(t.srtpProfile(), bytes, batch, packets, 60_000, sink).toMap());
            Path file = report.write(out, "floor");
            report.printTable(System.out);
            System.out.println("report: " + file);
            lastReport = file;
            return 0;
        }
    }

    static volatile Path lastReport;

    /** Runs a command line; returns the exit code (the report path is in {@link #lastReport()}). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new LoadMain());
        cl.setExecutionStrategy(parse -> {
            List<CommandLine> parsed = parse.asCommandLineList();
            Object cmd = parsed.getLast().getCommand();
            String[] rest = args.length > 0 ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
            if (cmd instanceof Load l) l.args = rest;
            if (cmd instanceof Storm s) s.args = rest;
            if (cmd instanceof FloorOnly f) f.args = rest;
            if (cmd instanceof SoakCommand k) k.args = rest;
            return new CommandLine.RunLast().execute(parse);
        });
        return cl.execute(args);
    }

    public static Path lastReport() { return lastReport; }

    public static void main(String[] args) {
        int code = run(args);
        System.exit(code);
    }

    /** A {@code --profile} value of the bench commands: GCM (AEAD_AES_128_GCM) or CM80; null when it is neither. */
    public static SrtpProfile parseProfile(String profile) {
        return switch (profile.toUpperCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "GCM", "AEADAES128GCM" -> SrtpProfile.AEAD_AES_128_GCM;
            case "CM80", "AESCM128HMACSHA180" -> SrtpProfile.AES_CM_128_HMAC_SHA1_80;
            default -> null;
        };
    }
}
