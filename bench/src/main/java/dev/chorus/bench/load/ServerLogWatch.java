package dev.chorus.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a spawned server's output line by line (sans-IO: lines in, counts out) for what a soak must not miss however
 * long it runs: Netty's {@code LEAK:} reports and lines logged at {@code ERROR} (the server logs a failure an operator
 * must see once, at ERROR or WARN; {@code logback.xml}'s pattern puts the level after the timestamp). WARN lines are
 * counted too, for the report. The first {@link #KEPT} notable lines are kept verbatim for the report.
 * <p>
 * Before this class the soak counted leak reports in the first 2,000 lines of output only (the buffer the launcher
 * keeps): a leak reported later in a 30-minute run went unseen.
 */
final class ServerLogWatch {
    static final int KEPT = 50;
    final AtomicLong leakReports = new AtomicLong();
    final AtomicLong errorLines = new AtomicLong();
    final AtomicLong warnLines = new AtomicLong();
    /** Every line read: a count of 0 would mean the watch saw nothing (the server logs elsewhere). */
    final AtomicLong lines = new AtomicLong();
    private final List<String> notable = new ArrayList<>();

    void accept(String line) {
        lines.incrementAndGet();
        boolean leak = line.contains("LEAK:");
        String level = level(line);
        if (leak) leakReports.incrementAndGet();
        if ("ERROR".equals(level)) errorLines.incrementAndGet();
        if ("WARN".equals(level)) warnLines.incrementAndGet();
        if (leak || level != null) {
            synchronized (notable) {
                if (notable.size() < KEPT) notable.add(line.length() > 400 ? line.substring(0, 400) + "…" : line);
            }
        }
    }

    /** "ERROR" or "WARN" when the line is a log event at that level ({@code <timestamp> <LEVEL> <logger> …}), else null. */
    static String level(String line) {
        int sp = line.indexOf(' ');
        if (sp < 10 || !Character.isDigit(line.charAt(0))) return null; // a continuation (stack trace) or other output
        String rest = line.substring(sp + 1);
        if (rest.startsWith("ERROR ")) return "ERROR";
        if (rest.startsWith("WARN ")) return "WARN";
        return null;
    }

    List<String> notableLines() {
        synchronized (notable) {
            return List.copyOf(notable);
        }
    }
}
