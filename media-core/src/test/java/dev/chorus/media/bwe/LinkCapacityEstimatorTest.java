package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the link has shown it carries: smoothed samples with a variance that widens the bounds when they scatter. */
class LinkCapacityEstimatorTest {
    @Test
    void theFirstSampleSetsItThenSamplesAreSmoothedAndScatterWidensTheBounds() {
        LinkCapacityEstimator c = new LinkCapacityEstimator();
        assertThat(c.known()).isFalse();
        assertThat(c.lowerBoundBps()).isZero();
        assertThat(c.upperBoundBps()).isEqualTo(Long.MAX_VALUE);
        c.onSample(250_000);
        assertThat(c.estimateBps()).isEqualTo(250_000);
        // σ = √(0.4 × 250) kbit/s = 10 k: bounds ± 30 k.
        assertThat(c.lowerBoundBps()).isEqualTo(220_000);
        assertThat(c.upperBoundBps()).isEqualTo(280_000);
        c.onSample(350_000);
        assertThat(c.estimateBps()).isEqualTo(255_000); // 0.95 × 250 k + 0.05 × 350 k
        assertThat(c.upperBoundBps() - c.lowerBoundBps()).isGreaterThan(60_000);
        c.reset();
        assertThat(c.known()).isFalse();
        c.onSample(100_000);
        assertThat(c.estimateBps()).isEqualTo(100_000);
    }
}
