package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** GCC's loss-based rule: < 2 % raises 8 %, > 10 % lowers to rate × (1 − loss/2), between holds. */
class LossBasedEstimatorTest {
    @Test
    void heavyLossLowersOncePerInterval() {
        LossBasedEstimator loss = new LossBasedEstimator(1_000_000, 30_000, 10_000_000);
        assertThat(loss.onStatuses(20, 100, 10_000_000, 0)).isEqualTo(900_000);
        assertThat(loss.lossRatio()).isEqualTo(0.2);
        assertThat(loss.onStatuses(20, 100, 10_000_000, 100_000)).as("same burst").isEqualTo(900_000);
        assertThat(loss.onStatuses(20, 100, 10_000_000, 400_000)).isEqualTo(810_000);
    }

    @Test
    void moderateLossHoldsAndLowLossRaisesUpToTheCeiling() {
        LossBasedEstimator loss = new LossBasedEstimator(1_000_000, 30_000, 10_000_000);
        assertThat(loss.onStatuses(5, 100, 10_000_000, 0)).isEqualTo(1_000_000);
        assertThat(loss.onStatuses(1, 100, 10_000_000, 1_000_000)).isEqualTo(1_081_000);
        assertThat(loss.onStatuses(0, 100, 10_000_000, 1_500_000)).as("once per second").isEqualTo(1_081_000);
        assertThat(loss.onStatuses(0, 100, 1_100_000, 2_000_000)).isEqualTo(1_100_000);
    }

    @Test
    void tooFewPacketsAreCarriedOver() {
        LossBasedEstimator loss = new LossBasedEstimator(1_000_000, 30_000, 10_000_000);
        assertThat(loss.onStatuses(5, 10, 10_000_000, 0)).isEqualTo(1_000_000);
        assertThat(loss.onStatuses(0, 10, 10_000_000, 0)).isEqualTo(875_000); // 5 of 20 lost
    }
}
