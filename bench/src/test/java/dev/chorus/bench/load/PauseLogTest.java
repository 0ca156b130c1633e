package dev.chorus.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PauseLogTest {
    static final Instant FROM = Instant.parse("2026-12-06T00:13:16.000Z");
    static final Instant TO = Instant.parse("2026-12-06T00:13:17.000Z");

    @Test
    void safepointLinesAreTheMeasureAndOnlyCollectorOperationsCountAsGcPauses() {
        List<String> log = List.of(
                "[2026-12-06T00:13:15.999+0000] Safepoint \"ZMarkStartYoung\", Time since last: 1 ns, Reaching safepoint: 1 ns, At safepoint: 1 ns, Leaving safepoint: 1 ns, Total: 99000000 ns, Threads: 1 runnable, 10 total",
                "[2026-12-06T00:13:16.252+0000] Safepoint \"ZMarkStartYoungAndOld\", Time since last: 3056708653 ns, Reaching safepoint: 150816 ns, At safepoint: 64061 ns, Leaving safepoint: 36429 ns, Total: 251306 ns, Threads: 1 runnable, 10 total",
                "[2026-12-06T00:13:16.276+0000] Safepoint \"ZRelocateStartYoung\", Time since last: 7443897 ns, Reaching safepoint: 5862 ns, At safepoint: 35807 ns, Leaving safepoint: 3877 ns, Total: 1545546 ns, Threads: 0 runnable, 10 total",
                "[2026-12-06T00:13:16.295+0000] Safepoint \"CleanClassLoaderDataMetaspaces\", Time since last: 3744832 ns, Reaching safepoint: 2895 ns, At safepoint: 127681 ns, Leaving safepoint: 3137 ns, Total: 2133713 ns, Threads: 0 runnable, 10 total",
                "[2026-12-06T00:13:16.297+0000] GC(0) Major Collection (Warmup) 544M(9%)->14M(0%) 0.045s");
        Map<String, Object> m = PauseLog.summarize(log, FROM, TO);
        assertEquals(2, m.get("pauses"), "the pause before the window and the non-GC safepoint are not GC pauses in it");
        assertEquals(1.545546, (double) m.get("maxMillis"), 1e-9);
        assertEquals("ZRelocateStartYoung", m.get("maxKind"));
        assertEquals(1.796852, (double) m.get("totalMillis"), 1e-9);
        assertEquals(2.133713, (double) m.get("maxAnySafepointMillis"), 1e-9);
        assertEquals("CleanClassLoaderDataMetaspaces", m.get("maxAnySafepointKind"));
    }

    @Test
    void aGcOnlyLogIsReadFromItsPauseLines() {
        List<String> log = List.of(
                "[2026-12-06T00:13:16.100+0000] GC(3) Pause Young (Concurrent Start) (Metadata GC Threshold) 27M->15M(380M) 7.701ms",
                "[2026-12-06T00:13:16.120+0000] GC(4) Concurrent Mark Cycle",
                "[2026-12-06T00:13:16.200+0000] GC(4) Pause Remark 16M->16M(57M) 4.114ms",
                "[2026-12-06T00:13:17.500+0000] GC(5) Pause Young (Normal) (G1 Evacuation Pause) 42M->16M(57M) 19.990ms");
        Map<String, Object> m = PauseLog.summarize(log, FROM, TO);
        assertEquals("GC log", m.get("source"));
        assertEquals(2, m.get("pauses"));
        assertEquals(7.701, (double) m.get("maxMillis"), 1e-9);
        assertEquals("Pause Young", m.get("maxKind"));
    }
}
