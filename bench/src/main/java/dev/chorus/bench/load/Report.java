package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The run's record: one JSON file under bench-results/ (every figure, machine, JDK, command) and a human table. */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Instant started = Instant.now();

    public Report(String mode, String command) {
        root.put("tool", "chorus bench " + mode);
        root.put("startedAt", started.toString());
        root.put("command", command);
        root.put("machine", Machine.describe());
    }

    public Report put(String key, Object value) {
        root.put(key, value);
        return this;
    }

    public Map<String, Object> root() { return root; }

    /** The run's UTC start as used in file names ({@code yyyyMMdd-HHmmss}). */
    public String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started);
    }

    /** Writes {@code <dir>/<UTC time>-<mode>.json} and returns the path. */
    public Path write(Path dir, String mode) throws IOException {
        root.put("finishedAt", Instant.now().toString());
        root.put("loadAverageAtEnd", Machine.loadAverage());
        Files.createDirectories(dir);
        String stamp = stamp();
        Path file = dir.resolve(stamp + "-" + mode + ".json");
        for (int i = 2; Files.exists(file); i++) file = dir.resolve(stamp + "-" + mode + "-" + i + ".json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    /** Prints the figures as "name  value" rows, nested maps flattened with dots. */
    public void printTable(PrintStream out) {
        out.println();
        flatten("", root, out);
        out.println();
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> m, PrintStream out) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> sub) {
                flatten(key, (Map<String, Object>) sub, out);
            } else {
                out.printf(Locale.ROOT, "  %-52s %s%n", key, format(v));
            }
        }
    }

    static String format(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN()) return "n/a";
            double a = Math.abs(d);
            return a >= 1000 ? String.format(Locale.ROOT, "%,.0f", d) : a >= 10 ? String.format(Locale.ROOT, "%.1f", d)
                    : String.format(Locale.ROOT, "%.3f", d);
        }
        if (v instanceof Long || v instanceof Integer) return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        return String.valueOf(v);
    }
}
