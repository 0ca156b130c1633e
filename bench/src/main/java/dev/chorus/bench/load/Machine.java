package dev.chorus.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a result depends on: cores, CPU model, memory, JDK, and how busy the machine was (load average). */
public final class Machine {
    private Machine() {}

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("memTotalKiB", memTotalKiB());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        m.put("loadAverage", loadAverage());
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: leave it unknown
        }
        return "unknown";
    }

    static long memTotalKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException ignored) {
            // unknown
        }
        return -1;
    }

    /**
     * Host-wide UDP counters from /proc/net/snmp (RcvbufErrors, SndbufErrors, InErrors): a delta over a run says
     * whether lost packets were dropped by the kernel at a full socket buffer (the receiver did not keep up).
     */
    public static Map<String, Long> udpCounters() {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp:")).toList();
            if (lines.size() >= 2) {
                String[] names = lines.get(0).split("\\s+");
                String[] values = lines.get(1).split("\\s+");
                for (int i = 1; i < Math.min(names.length, values.length); i++) {
                    if (names[i].equals("RcvbufErrors") || names[i].equals("SndbufErrors") || names[i].equals("InErrors")) {
                        m.put(names[i], Long.parseLong(values[i]));
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return m;
    }

    /**
     * Above this 1-minute load average per core the machine counts as overloaded: runnable threads wait several
     * time slices for a core, and a deadline of the generator says more about the machine than about the server.
     * The soak's own generator and server threads account for about 1–3 of it.
     */
    static final double OVERLOAD_PER_CORE = 3.0;

    /** The 1-minute load average, or 0 if unavailable. */
    static double load1() {
        List<Double> l = loadAverage();
        return l.isEmpty() ? 0 : l.getFirst();
    }

    static boolean overloaded(double load1, int cores) {
        return load1 > OVERLOAD_PER_CORE * cores;
    }

    /**
     * How much longer than on an idle machine the generator waits for a step: load per core, between 1 and 4. A
     * deadline that grows with the load keeps a starved machine from turning into errors, and stays bounded.
     */
    static double deadlineFactor(double load1, int cores) {
        return Math.max(1.0, Math.min(4.0, load1 / Math.max(1, cores)));
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg (empty if unavailable). */
    public static List<Double> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
