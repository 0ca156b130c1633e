package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** GCC's rate controller: multiplicative decrease to 0.85 × acknowledged, ~8 %/s increase, hold while draining. */
class AimdRateControlTest {
    @Test
    void overUseCutsToBetaTimesTheAcknowledgedRate() {
        AimdRateControl aimd = new AimdRateControl(2_000_000, 30_000, 10_000_000);
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 0)).isEqualTo(850_000);
        // Still over-using with the same acknowledged rate: no further cut below what was already cut to.
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 100_000)).isEqualTo(850_000);
    }

    @Test
    void normalIncreasesAboutEightPercentPerSecondWhileTheCapacityIsUnknown() {
        AimdRateControl aimd = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        aimd.update(BandwidthUsage.NORMAL, -1, 0);
        for (int i = 1; i <= 10; i++) aimd.update(BandwidthUsage.NORMAL, -1, i * 100_000L);
        assertThat(aimd.estimateBps()).isBetween(1_070_000L, 1_090_000L);
    }

    @Test
    void underUseHoldsAndTheIncreaseIsCappedByTheAcknowledgedRate() {
        AimdRateControl aimd = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        aimd.update(BandwidthUsage.UNDERUSING, -1, 0);
        assertThat(aimd.update(BandwidthUsage.UNDERUSING, -1, 1_000_000)).isEqualTo(1_000_000);
        assertThat(aimd.update(BandwidthUsage.NORMAL, -1, 1_100_000)).as("one round of hold").isEqualTo(1_000_000);
        for (int i = 0; i < 100; i++) aimd.update(BandwidthUsage.NORMAL, 300_000, 2_000_000 + i * 1_000_000L);
        assertThat(aimd.estimateBps()).as("a cap never lowers").isEqualTo(1_000_000);
        AimdRateControl low = new AimdRateControl(300_000, 30_000, 10_000_000);
        for (int i = 0; i < 100; i++) low.update(BandwidthUsage.NORMAL, 300_000, i * 1_000_000L);
        assertThat(low.estimateBps()).isEqualTo(460_000);
    }

    @Test
    void nearTheLastDecreaseTheIncreaseIsAdditive() {
        AimdRateControl aimd = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 0); // capacity ≈ 1 Mbit/s, estimate 850 k
        aimd.update(BandwidthUsage.NORMAL, -1, 100_000);     // leaves hold
        long before = aimd.estimateBps();
        aimd.update(BandwidthUsage.NORMAL, -1, 1_100_000);   // one second
        long step = aimd.estimateBps() - before;
        assertThat(step).as("additive: ~one packet per response time per second, not 8 %").isLessThan(80_000);
        assertThat(step).isPositive();
    }

    @Test
    void staysWithinItsBounds() {
        AimdRateControl aimd = new AimdRateControl(50_000, 30_000, 100_000);
        for (int i = 0; i < 5; i++) aimd.update(BandwidthUsage.OVERUSING, 10_000, i);
        assertThat(aimd.estimateBps()).isEqualTo(30_000);
        aimd.setEstimate(5_000_000, 10);
        assertThat(aimd.estimateBps()).isEqualTo(100_000);
    }
}
