package dev.chorus.bench.alloc;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

/**
 * Attributes recorded allocations to the code that asked for them: each allocation goes to the innermost stack
 * frame outside the JDK ({@code java.}, {@code javax.}, {@code jdk.}, {@code sun.}), so an {@code ArrayList.grow} under a Chorus
 * method counts as Chorus's, and the {@code byte[]} a library's cipher wrapper allocates counts as the library's.
 *
 * <p>Why this and not {@code -prof gc}: JMH's figure is the whole thread's allocation per operation and cannot tell
 * Chorus code from jitsi-srtp on the same path. Fed {@code jdk.ObjectAllocationOutsideTLAB} events recorded with
 * TLABs off (every allocation is then an event with its exact size and stack), the attribution is exact, not sampled.
 *
 * <p>Only allocations whose stack contains {@code scopeFrame} (the measured operation) are counted. Owners: "chorus"
 * (package {@code dev.chorus}, minus the test harness), "harness" (frames of classes named in {@code harnessClasses}:
 * the benchmark's stand-ins for the socket), and otherwise the library's first two package segments.
 */
final class AllocationSites {
    /** Bytes and allocation count of one owner or one site. */
    static final class Tally {
        long bytes;
        long count;

        void add(long size) {
            bytes += size;
            count++;
        }
    }

    private final String scopeFrame;
    private final List<String> harnessClasses;
    private final Map<String, Tally> byOwner = new TreeMap<>();
    private final Map<String, Tally> bySite = new LinkedHashMap<>();
    private long outOfScope;

    AllocationSites(String scopeFrame, List<String> harnessClasses) {
        this.scopeFrame = scopeFrame;
        this.harnessClasses = harnessClasses;
    }

    void accept(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || !inScope(stack.getFrames())) {
            outOfScope++;
            return;
        }
        long size = event.getLong("allocationSize");
        String objectClass = event.getClass("objectClass").getName();
        RecordedFrame asker = asker(stack.getFrames());
        String where = asker == null ? "?" : asker.getMethod().getType().getName() + "." + asker.getMethod().getName();
        byOwner.computeIfAbsent(owner(where), k -> new Tally()).add(size);
        bySite.computeIfAbsent(where + " → " + objectClass, k -> new Tally()).add(size);
    }

    private boolean inScope(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod() != null && (f.getMethod().getType().getName() + "." + f.getMethod().getName()).contains(scopeFrame)) {
                return true;
            }
        }
        return false;
    }

    private static RecordedFrame asker(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod() == null) continue;
            String type = f.getMethod().getType().getName();
            if (!(type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.") || type.startsWith("sun."))) return f;
        }
        return frames.isEmpty() ? null : frames.getFirst();
    }

    String owner(String where) {
        for (String h : harnessClasses) {
            if (where.startsWith(h + ".")) return "harness";
        }
        if (where.startsWith("dev.chorus.")) return "chorus";
        String[] parts = where.split("\\.");
        return parts.length > 2 ? parts[0] + "." + parts[1] : where;
    }

    /** Bytes per owner ("chorus", "harness", "org.jitsi", ...). */
    Map<String, Tally> byOwner() {
        return byOwner;
    }

    /** The {@code limit} sites allocating the most bytes. */
    List<Map.Entry<String, Tally>> topSites(int limit) {
        return bySite.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().bytes).reversed())
                .limit(limit).toList();
    }

    /** Events outside the measured operation (set-up, JMH, JFR itself), ignored. */
    long outOfScope() {
        return outOfScope;
    }
}
