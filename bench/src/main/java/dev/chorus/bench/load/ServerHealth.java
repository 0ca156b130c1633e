package dev.chorus.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server process's health as a soak samples it: heap after a full GC ({@code jcmd <pid> GC.run}, then
 * {@code GC.heap_info}), direct (Netty) buffer memory from its {@code /metrics}, Netty leak reports in its output
 * and log, open file descriptors and threads from {@code /proc}. Needs the same user as the server and the JDK's
 * {@code jcmd} (the generator's own JDK).
 */
final class ServerHealth {
    /** The last line of {@code GC.class_histogram}: {@code Total <instances> <bytes>}. */
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private final ServerTarget target;
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    ServerHealth(ServerTarget target) {
        this.target = target;
    }

    /** One sample; a figure that cannot be read is -1. */
    Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapAfterGcBytes", heapAfterGc());
        Map<String, Double> metrics = target.metrics(List.of("jvm_buffer_memory_used_bytes", "jvm_buffer_count_buffers",
                "chorus_ws_sessions_open"));
        m.put("directBufferBytes", metrics.getOrDefault("jvm_buffer_memory_used_bytes{id=\"direct\"}", -1.0).longValue());
        m.put("directBuffers", metrics.getOrDefault("jvm_buffer_count_buffers{id=\"direct\"}", -1.0).longValue());
        m.put("wsSessionsOpen", metrics.getOrDefault("chorus_ws_sessions_open", -1.0).longValue());
        m.put("nettyLeakReports", leakReports());
        m.put("fileDescriptors", fileDescriptors());
        m.put("threads", threads());
        return m;
    }

    /**
     * The bytes of live objects in the server's heap: {@code jcmd <pid> GC.class_histogram} runs a full GC and sums
     * what survived, in one step. (The soak first ran {@code GC.run} then read {@code GC.heap_info}'s "used": two jcmd
     * launches apart, seconds on a loaded machine, so "used" counted what the server allocated in between; at load 13
     * it read 80 MB where the live set was 39 MB.)
     */
    long heapAfterGc() {
        String histogram = run("GC.class_histogram");
        return histogram == null ? -1 : liveBytes(histogram);
    }

    /** The total of a class histogram, or -1 if there is none. */
    static long liveBytes(String histogram) {
        Matcher x = HISTOGRAM_TOTAL.matcher(histogram);
        return x.find() ? Long.parseLong(x.group(1)) : -1;
    }

    private String run(String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(target.pid()), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** "LEAK:" lines Netty's leak detector wrote (all output of a spawned server, and server.log in its data dir). */
    long leakReports() {
        ServerLogWatch watch = target.logWatch();
        long n = watch != null ? watch.leakReports.get() : 0;
        Path log = target.dataDir().resolve("server.log");
        if (Files.isReadable(log)) {
            try (var lines = Files.lines(log)) {
                n += lines.filter(l -> l.contains("LEAK:")).count();
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // rotated meanwhile
            }
        }
        return n;
    }

    long fileDescriptors() {
        try (var fds = Files.list(Path.of("/proc", Long.toString(target.pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    long threads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(target.pid()), "status"))) {
                if (line.startsWith("Threads:")) return Long.parseLong(line.substring(8).trim());
            }
        } catch (IOException | RuntimeException ignored) {
            // gone
        }
        return -1;
    }
}
