package dev.chorus.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * CPU time of another process from {@code /proc/<pid>/stat} (utime + stime, all threads, in clock ticks), and the
 * pid of the process that listens on a local TCP port (its socket inode in {@code /proc/net/tcp[6]}, then the
 * process whose {@code fd} links to {@code socket:[inode]}). Linux only; needs the same user as the server (or root).
 */
public final class ProcessCpu {
    private final long pid;
    private static final long TICKS = clockTicks();
    private final long ticksPerSecond;

    public ProcessCpu(long pid) {
        this.pid = pid;
        this.ticksPerSecond = TICKS;
    }

    public long pid() { return pid; }

    /** utime + stime of the process so far, in nanoseconds. */
    public long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        return (utime + stime) * 1_000_000_000L / ticksPerSecond;
    }

    /**
     * CPU time per thread so far, in nanoseconds, keyed {@code "name#tid"} ({@code /proc/<pid>/task/<tid>/stat};
     * the kernel truncates names to 15 characters). Threads that exit between two reads simply disappear.
     */
    public java.util.Map<String, Long> threadCpuNanos() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    m.put(name + "#" + task.getFileName(), ticks * 1_000_000_000L / ticksPerSecond);
                } catch (IOException | RuntimeException gone) {
                    // the thread exited meanwhile
                }
            }
        } catch (IOException e) {
            // process gone: no threads
        }
        return m;
    }

    /**
     * Context switches per thread so far, keyed like {@link #threadCpuNanos()}: {voluntary (the thread blocked: a
     * park, an epoll_wait), involuntary (it was preempted)} from {@code /proc/<pid>/task/<tid>/status}. On this
     * machine's VM a switch costs microseconds of the thread's own CPU, so they explain much of a wake-up's cost.
     */
    public java.util.Map<String, long[]> threadSwitches() {
        java.util.Map<String, long[]> m = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    long[] v = new long[2];
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) v[0] = Long.parseLong(line.substring(24).trim());
                        else if (line.startsWith("nonvoluntary_ctxt_switches:")) v[1] = Long.parseLong(line.substring(27).trim());
                    }
                    m.put(name + "#" + task.getFileName(), v);
                } catch (IOException | RuntimeException gone) {
                    // the thread exited meanwhile
                }
            }
        } catch (IOException e) {
            // process gone: no threads
        }
        return m;
    }

    /**
     * Per-thread CPU over a window from two {@link #threadCpuNanos()} reads: the busiest threads first (at most
     * {@code top}), each with seconds and share of the process's CPU over the window; and the largest share.
     */
    public static java.util.Map<String, Object> threadSpread(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int top) {
        java.util.List<java.util.Map.Entry<String, Long>> d = new java.util.ArrayList<>();
        long total = 0;
        for (var e : after.entrySet()) {
            long v = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (v <= 0) continue;
            d.add(java.util.Map.entry(e.getKey(), v));
            total += v;
        }
        d.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed());
        java.util.Map<String, Object> threads = new java.util.LinkedHashMap<>();
        for (int i = 0; i < Math.min(top, d.size()); i++) {
            var e = d.get(i);
            threads.put(e.getKey(), String.format(Locale.ROOT, "%.3f s (%.1f %%)", e.getValue() / 1e9, 100.0 * e.getValue() / total));
        }
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("cpuSecondsAllThreads", total / 1e9);
        out.put("largestThreadSharePercent", d.isEmpty() || total == 0 ? 0.0 : 100.0 * d.getFirst().getValue() / total);
        out.put("busiest", threads);
        return out;
    }

    /** USER_HZ: 100 on every mainstream Linux; asked from getconf when available. */
    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0) return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /** The pid of the process with a listening TCP socket on {@code port}, if this user can see it. */
    public static OptionalLong pidListeningOn(int port) throws IOException {
        long inode = -1;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path t = Path.of(table);
            if (!Files.isReadable(t)) continue;
            for (String line : Files.readAllLines(t)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[1].contains(":")) continue;
                int localPort = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                if (localPort == port && f[3].equals("0A")) { // 0A = LISTEN
                    inode = Long.parseLong(f[9]);
                    break;
                }
            }
            if (inode > 0) break;
        }
        if (inode <= 0) return OptionalLong.empty();
        String target = String.format(Locale.ROOT, "socket:[%d]", inode);
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).toString().equals(target)) {
                                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
                            }
                        } catch (IOException ignored) {
                            // fd closed meanwhile
                        }
                    }
                } catch (IOException | SecurityException ignored) {
                    // another user's process or gone
                }
            }
        }
        return OptionalLong.empty();
    }
}
