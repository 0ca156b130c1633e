package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WindowedBitrateTest {
    /** 1200 bytes every 10 ms from {@code from} to {@code to} (µs): 960 kbit/s. */
    private static void feed(WindowedBitrate w, long from, long to) {
        for (long t = from; t < to; t += 10_000) w.add(1200, t);
    }

    @Test
    void isUnknownUntilAFullWindowThenTheRateOverIt() {
        WindowedBitrate w = new WindowedBitrate();
        feed(w, 0, 400_000);
        assertThat(w.bps()).isEqualTo(-1);
        feed(w, 400_000, 1_000_000);
        assertThat(w.bps()).isEqualTo(960_000);
    }

    @Test
    void afterASilenceLongerThanTheWindowItIsUnknownAgainUntilAFullWindowSince() {
        WindowedBitrate w = new WindowedBitrate();
        feed(w, 0, 1_000_000);
        // Ten seconds of nothing, then arrivals again (reported late ones from before the silence included).
        feed(w, 11_000_000, 11_100_000);
        assertThat(w.bps()).as("100 ms since the silence is no window: not a collapse to 192 kbit/s").isEqualTo(-1);
        feed(w, 11_100_000, 11_600_000);
        assertThat(w.bps()).isEqualTo(960_000);
    }
}
