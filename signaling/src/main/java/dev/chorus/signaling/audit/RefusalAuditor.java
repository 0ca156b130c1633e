package dev.chorus.signaling.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Audits refusals with a per-source budget, so a flood of bad joins cannot become a flood of fsync'ed audit lines:
 * each source gets {@code perWindow} audited refusals per window; the rest are counted, and one
 * {@code audit.suppressed} line per source and window says how many were left out (with the window start). The
 * summary is written when that source's next refusal arrives after the window, or by {@link #flush} (called on a
 * timer), whichever is first. Memory is bounded by {@code maxSources}; counts of evicted sources are summed into one
 * summary line without a source.
 */
public final class RefusalAuditor {
    public static final String SUPPRESSED = "audit.suppressed";

    private final AuditLog log;
    private final Clock clock;
    private final int perWindow;
    private final long windowMillis;
    private final int maxSources;
    private final LinkedHashMap<String, Window> bySource = new LinkedHashMap<>(16, 0.75f, true);
    private long evictedSuppressed;

    private static final class Window {
        long startMillis;
        int audited;
        long suppressed;
    }

    public RefusalAuditor(AuditLog log, Clock clock, int perWindow, Duration window, int maxSources) {
        if (perWindow < 1 || maxSources < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.log = log;
        this.clock = clock;
        this.perWindow = perWindow;
        this.windowMillis = window.toMillis();
        this.maxSources = maxSources;
    }

    /** Defaults: 10 audited refusals per source per minute, 10 000 sources remembered. */
    public static RefusalAuditor defaults(AuditLog log, Clock clock) {
        return new RefusalAuditor(log, clock, 10, Duration.ofMinutes(1), 10_000);
    }

    /** Appends {@code event} unless its source used up this window's budget (then it is only counted). */
    public void refused(AuditEvent event) {
        List<AuditEvent> toWrite = new ArrayList<>(2);
        synchronized (this) {
            long now = clock.millis();
            String key = event.source() == null ? "" : event.source();
            Window w = bySource.get(key);
            if (w != null && now - w.startMillis >= windowMillis) {
                if (w.suppressed > 0) toWrite.add(summary(key, w));
                bySource.remove(key);
                w = null;
            }
            if (w == null) {
                w = new Window();
                w.startMillis = now;
                bySource.put(key, w);
                trim();
            }
            if (w.audited < perWindow) {
                w.audited++;
                toWrite.add(event);
            } else {
                w.suppressed++;
            }
        }
        toWrite.forEach(log::append); // outside the monitor: the append forces the file
    }

    /** Writes the summaries of every window that has ended; returns how many lines it wrote. */
    public int flush() {
        return flush(false);
    }

    /** At shutdown: writes the summaries of every window, ended or not. */
    public int flushAll() {
        return flush(true);
    }

    private int flush(boolean all) {
        List<AuditEvent> toWrite = new ArrayList<>();
        synchronized (this) {
            long now = clock.millis();
            for (Iterator<Map.Entry<String, Window>> it = bySource.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Window> e = it.next();
                if (all || now - e.getValue().startMillis >= windowMillis) {
                    if (e.getValue().suppressed > 0) toWrite.add(summary(e.getKey(), e.getValue()));
                    it.remove();
                }
            }
            if (evictedSuppressed > 0) {
                toWrite.add(new AuditEvent(null, "chorus", null, SUPPRESSED, "refusals", AuditOutcome.SUCCESS, null,
                        Map.of("suppressed", Long.toString(evictedSuppressed), "note", "sources evicted from the table")));
                evictedSuppressed = 0;
            }
        }
        toWrite.forEach(log::append);
        return toWrite.size();
    }

    private AuditEvent summary(String source, Window w) {
        return new AuditEvent(null, "chorus", source.isEmpty() ? null : source, SUPPRESSED, "refusals",
                AuditOutcome.SUCCESS, null, Map.of("suppressed", Long.toString(w.suppressed),
                "window_start", java.time.Instant.ofEpochMilli(w.startMillis).toString()));
    }

    private void trim() {
        Iterator<Map.Entry<String, Window>> it = bySource.entrySet().iterator();
        while (bySource.size() > maxSources && it.hasNext()) {
            evictedSuppressed += it.next().getValue().suppressed;
            it.remove();
        }
    }
}
