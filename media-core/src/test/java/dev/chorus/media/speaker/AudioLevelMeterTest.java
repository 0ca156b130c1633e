package dev.chorus.media.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Smoothing of the RFC 6464 levels: fast attack, exponential release, noise floor, decay when packets stop. */
class AudioLevelMeterTest {
    static final long MS = 1_000_000L;

    @Test
    void silenceAndTheNoiseFloorAreZeroAndFullScaleIsOne() {
        assertThat(AudioLevelMeter.linear(127)).isZero();
        assertThat(AudioLevelMeter.linear(AudioLevelMeter.FLOOR_DBOV)).isZero();
        assertThat(AudioLevelMeter.linear(0)).isEqualTo(1.0);
        assertThat(AudioLevelMeter.linear(35)).isCloseTo(0.5, within(1e-9));
        assertThat(AudioLevelMeter.linear(200)).isZero();
        assertThat(new AudioLevelMeter().level(5 * MS)).isZero();
    }

    @Test
    void speechIsHeardWithinAFewPacketsAndDoesNotDropInTheGapsBetweenWords() {
        AudioLevelMeter m = new AudioLevelMeter();
        long t = 0;
        for (int i = 0; i < 3; i++, t += 20 * MS) m.record(10, t);
        assertThat(m.level(t)).isGreaterThan(0.7);
        // 100 ms of silence packets (a pause between words) only lowers it gradually
        for (int i = 0; i < 5; i++, t += 20 * MS) m.record(127, t);
        assertThat(m.level(t)).isGreaterThan(0.3);
    }

    @Test
    void theLevelDecaysWhenPacketsStop() {
        AudioLevelMeter m = new AudioLevelMeter();
        for (long t = 0; t < 200 * MS; t += 20 * MS) m.record(0, t);
        double speaking = m.level(180 * MS);
        assertThat(m.level(180 * MS + AudioLevelMeter.RELEASE_NANOS)).isCloseTo(speaking / Math.E, within(1e-6));
        assertThat(m.level(180 * MS + 2_000 * MS)).isLessThan(0.001);
    }
}
