package dev.chorus.bench.load;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stop-the-world pauses in a JVM's unified log between two instants ({@code -Xlog:gc,safepoint:file=...:utctime}).
 *
 * <p>Safepoint lines are the measure when present: every pause of the application threads is a safepoint, whatever
 * the collector (ZGC's {@code -Xlog:gc} prints its cycles but not its pauses), and a line's {@code Total} is the time
 * from the request to the threads running again, reaching the safepoint included, which a GC line's own duration
 * leaves out. A safepoint whose operation belongs to a collector ({@code G1...}, {@code Z...}, ...) counts as a GC
 * pause; the largest pause of any kind is reported beside it. A log with only G1/Parallel/Serial
 * {@code GC(n) Pause ... 12.3ms} lines (e.g. an existing server started with {@code -Xlog:gc}) is read from those.
 */
final class PauseLog {
    private static final Pattern SAFEPOINT = Pattern.compile(
            "^\\[(\\d{4}-\\d\\d-\\d\\dT[^\\]]+)\\].*Safepoint \"([^\"]+)\",.*Total: (\\d+) ns");
    private static final Pattern GC_PAUSE = Pattern.compile(
            "^\\[(\\d{4}-\\d\\d-\\d\\dT[^\\]]+)\\].*GC\\(\\d+\\) (Pause [^(]*?)\\s*(?:\\(.*)?\\s([0-9.]+)ms$");
    private static final Pattern GC_OPERATION = Pattern.compile("^(G1|Z[A-Z]|Shenandoah|Parallel|Serial|GenCollect)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private PauseLog() {}

    /** Summary of the pauses logged in [from, to]: GC pauses (count, max with its kind, total) and the largest of any kind. */
    static Map<String, Object> summarize(List<String> lines, Instant from, Instant to) {
        boolean safepoints = lines.stream().anyMatch(l -> SAFEPOINT.matcher(l.trim()).find());
        int count = 0;
        double max = 0, sum = 0, maxAny = 0;
        String maxKind = "", maxAnyKind = "";
        for (String line : lines) {
            String kind;
            double ms;
            Instant at;
            boolean gc;
            if (safepoints) {
                Matcher x = SAFEPOINT.matcher(line.trim());
                if (!x.find()) continue;
                at = OffsetDateTime.parse(x.group(1), TIME).toInstant();
                kind = x.group(2);
                ms = Long.parseLong(x.group(3)) / 1e6;
                gc = GC_OPERATION.matcher(kind).find();
            } else {
                Matcher x = GC_PAUSE.matcher(line.trim());
                if (!x.find()) continue;
                at = OffsetDateTime.parse(x.group(1), TIME).toInstant();
                kind = x.group(2).trim();
                ms = Double.parseDouble(x.group(3));
                gc = true;
            }
            if (at.isBefore(from) || at.isAfter(to)) continue;
            if (ms > maxAny) {
                maxAny = ms;
                maxAnyKind = kind;
            }
            if (!gc) continue;
            count++;
            sum += ms;
            if (ms > max) {
                max = ms;
                maxKind = kind;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", safepoints ? "safepoint log (time to safepoint included)" : "GC log");
        m.put("pauses", count);
        m.put("maxMillis", max);
        m.put("maxKind", maxKind);
        m.put("totalMillis", sum);
        if (safepoints) {
            m.put("maxAnySafepointMillis", maxAny);
            m.put("maxAnySafepointKind", maxAnyKind);
        }
        return m;
    }
}
