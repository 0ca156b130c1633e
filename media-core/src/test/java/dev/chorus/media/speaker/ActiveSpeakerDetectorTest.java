package dev.chorus.media.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who the active speaker is, and that it changes at most once per interval. */
class ActiveSpeakerDetectorTest {
    static final long MS = 1_000_000L;
    final ActiveSpeakerDetector d = new ActiveSpeakerDetector(300 * MS);

    @Test
    void theLoudestSpeakerAboveTheSpeechLevelBecomesActive() {
        assertThat(d.update(Map.of("a", 0.1, "b", 0.2), 0)).as("nobody speaks").isNull();
        assertThat(d.current()).isNull();
        assertThat(d.update(Map.of("a", 0.1, "b", 0.8), 10 * MS)).isEqualTo("b");
        assertThat(d.update(Map.of("a", 0.1, "b", 0.8), 20 * MS)).as("unchanged: no event").isNull();
        assertThat(d.current()).isEqualTo("b");
    }

    @Test
    void theSpeakerChangesAtMostOncePerIntervalAndNotForASlightlyLouderInterruption() {
        d.update(Map.of("a", 0.8), 0);
        assertThat(d.update(Map.of("a", 0.0, "b", 0.9), 100 * MS)).as("too soon").isNull();
        assertThat(d.update(Map.of("a", 0.0, "b", 0.9), 300 * MS)).isEqualTo("b");
        assertThat(d.update(Map.of("a", 0.85, "b", 0.8), 700 * MS)).as("within the margin: b keeps it").isNull();
        assertThat(d.update(Map.of("a", 0.95, "b", 0.8), 800 * MS)).isEqualTo("a");
    }

    @Test
    void silenceKeepsTheLastSpeakerUntilItLeaves() {
        d.update(Map.of("a", 0.8), 0);
        assertThat(d.update(Map.of("a", 0.0, "b", 0.0), 1_000 * MS)).isNull();
        assertThat(d.current()).isEqualTo("a");
        assertThat(d.forget("b")).isFalse();
        assertThat(d.forget("a")).isTrue();
        assertThat(d.current()).isNull();
        assertThat(d.update(Map.of("b", 0.5), 1_100 * MS)).isEqualTo("b");
    }
}
