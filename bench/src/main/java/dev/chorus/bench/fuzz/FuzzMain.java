package dev.chorus.bench.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chorus bench fuzz [--seconds N] [target…]}: runs each fuzz harness under Jazzer's libFuzzer driver in a
 * child JVM of its own ({@code -Xmx256m}, the contract's memory bound) for a set time, starting from its seed
 * corpus, and prints executions, executions per second, corpus growth and the outcome per target. Any crash,
 * timeout (a single input over {@code --input-timeout}) or out-of-memory fails the run; the reproducer and the
 * input are left in the work directory. docs/security.md records the documented run.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = "Coverage-guided fuzzing of every parser (Jazzer), each target for a set time.")
public final class FuzzMain implements Callable<Integer> {
    @Option(names = "--seconds", description = "time per target (default ${DEFAULT-VALUE})")
    int seconds = 60;

    @Option(names = "--input-timeout", description = "seconds one input may take before it counts as a hang "
            + "(default ${DEFAULT-VALUE})")
    int inputTimeout = 25;

    @Option(names = "--runs", description = "instead of a time: this many inputs per target, from a fixed seed, so a "
            + "run is repeatable (what .ci/run does); 0 = run for --seconds")
    long runs;

    @Option(names = "--seed", description = "libFuzzer's random seed (default ${DEFAULT-VALUE}; 0 = random)")
    long seed = 0;

    @Option(names = "--work-dir", description = "corpora, crash inputs and logs (default ${DEFAULT-VALUE})")
    Path workDir = Path.of("fuzz-work");

    @Option(names = "--list", description = "list the targets and exit")
    boolean list;

    @Parameters(description = "targets to run (default: all)")
    List<String> targets = new ArrayList<>();

    /** One target's outcome. */
    record Result(String target, long executions, long execPerSec, long newUnits, long peakRssMb, String outcome) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new FuzzMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (list) {
            FuzzTarget.ALL.forEach(t -> System.out.println(t.name() + "  " + t.className()));
            return 0;
        }
        List<FuzzTarget> chosen = new ArrayList<>();
        for (FuzzTarget t : FuzzTarget.ALL) {
            if (targets.isEmpty() || targets.contains(t.name())) chosen.add(t);
        }
        if (chosen.size() != (targets.isEmpty() ? FuzzTarget.ALL.size() : targets.size())) {
            System.err.println("unknown target; --list shows them");
            return 2;
        }
        Path jar = ownJar();
        Files.createDirectories(workDir);
        List<Result> results = new ArrayList<>();
        for (FuzzTarget t : chosen) {
            results.add(run(t, jar));
            print(results.getLast());
        }
        System.out.printf(Locale.ROOT, "%nfuzz: %d targets, %s each, %s%n", results.size(),
                runs > 0 ? runs + " inputs" : seconds + " s",
                results.stream().allMatch(r -> r.outcome().equals("ok")) ? "no crash, hang or OOM" : "FINDINGS");
        return results.stream().allMatch(r -> r.outcome().equals("ok")) ? 0 : 1;
    }

    private Result run(FuzzTarget t, Path jar) throws IOException, InterruptedException {
        Path dir = workDir.resolve(t.name());
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        int seeds = extractSeeds(jar, t, corpus);
        Path log = dir.resolve("fuzz.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", jar.toString(), "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + t.className(),
                // coverage of our own code only: instrumenting Jackson, BouncyCastle, Netty and SQLite on first
                // use costs seconds per class and would count their branches as progress
                "--instrumentation_includes=dev.chorus.**", "--custom_hook_includes=dev.chorus.**",
                runs > 0 ? "-runs=" + runs : "-max_total_time=" + seconds, "-seed=" + (runs > 0 && seed == 0 ? 1 : seed),
                "-timeout=" + inputTimeout, "-rss_limit_mb=1024",
                "-print_final_stats=1", "-artifact_prefix=" + dir.toAbsolutePath() + "/",
                "--reproducer_path=" + dir.toAbsolutePath(), corpus.toAbsolutePath().toString()));
        System.out.printf(Locale.ROOT, "fuzz: %s (%d seeds) for %s ...%n", t.name(), seeds,
                runs > 0 ? runs + " inputs" : seconds + " s");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // a fixed number of inputs may take long on a slow target (config-yaml: ~550/s, so 1 M ≈ 30 min): the guard
        // allows 100 inputs/s at the least, and never less than 30 min
        long guardSeconds = runs > 0 ? Math.max(1800L, runs / 100L) : seconds + 120L;
        if (!p.waitFor(guardSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(t.name(), 0, 0, 0, 0, "driver did not stop (see " + log + ")");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        String outcome = p.exitValue() == 0 ? "ok" : finding(out, p.exitValue()) + " (see " + dir + ")";
        return new Result(t.name(), stat(out, "number_of_executed_units"), stat(out, "average_exec_per_sec"),
                stat(out, "new_units_added"), stat(out, "peak_rss_mb"), outcome);
    }

    private static String finding(String out, int exit) {
        if (out.contains("== Java Exception")) return "crash (exception)";
        if (out.contains("ERROR: libFuzzer: timeout")) return "hang";
        if (out.contains("out-of-memory") || out.contains("OutOfMemoryError")) return "out of memory";
        return "driver exit " + exit;
    }

    private static long stat(String out, String name) {
        Matcher m = Pattern.compile("stat::" + name + ":\\s+(\\d+)").matcher(out);
        long v = 0;
        while (m.find()) v = Long.parseLong(m.group(1));
        return v;
    }

    /** Copies the target's seed corpus (the @FuzzTest inputs inside the jar) into its corpus directory. */
    private static int extractSeeds(Path jar, FuzzTarget t, Path corpus) throws IOException {
        int n = 0;
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.isDirectory() || t.seedDirs().stream().noneMatch(entry.getName()::startsWith)) continue;
                Path to = corpus.resolve("seed-" + entry.getName().substring(entry.getName().lastIndexOf('/') + 1));
                try (InputStream in = jf.getInputStream(entry)) {
                    Files.write(to, in.readAllBytes());
                }
                n++;
            }
        }
        return n;
    }

    private static Path ownJar() throws URISyntaxException {
        Path p = Path.of(FuzzMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("run from the benchmarks jar (./chorus bench fuzz), not from classes");
        }
        return p;
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "fuzz: %-18s %,12d execs %,8d/s %6d new units %5d MB  %s%n", r.target(),
                r.executions(), r.execPerSec(), r.newUnits(), r.peakRssMb(), r.outcome());
    }
}
