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

    @Test
    void anApplicationLimitedOverUseCutsFromTheLinkCapacityNotFromWhatWasAcknowledged() {
        AimdRateControl aimd = new AimdRateControl(400_000, 30_000, 10_000_000);
        aimd.onProbeResult(250_000, true); // a probe's burst filled the link: 250 kbit/s
        aimd.setEstimate(270_000, 0);
        // Only audio + the lowest layer are sent (170 k acknowledged); a key frame queues and the trend says over-use.
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 170_000, 1_000_000, 100_000)).isEqualTo(212_500);
        assertThat(aimd.cutsFromCapacity()).isEqualTo(1);
        assertThat(aimd.capacityBps()).as("an application-limited rate is no capacity sample").isEqualTo(250_000);
        // The same episode goes on: no further cut.
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 160_000, 1_000_000, 200_000)).isEqualTo(212_500);
        // Without a capacity the cut follows the acknowledged rate (GCC): 0.85 × 170 k.
        AimdRateControl plain = new AimdRateControl(270_000, 30_000, 10_000_000);
        assertThat(plain.update(BandwidthUsage.OVERUSING, 170_000, 100_000)).isEqualTo(144_500);
    }

    @Test
    void theCapacityFloorGoesNoHigherThanTheLossBasedEstimateAndIsForgottenWhenLossShowsLess() {
        AimdRateControl aimd = new AimdRateControl(900_000, 30_000, 10_000_000);
        aimd.onProbeResult(800_000, true);
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 300_000, 400_000, 0)).as("0.85 × the loss-based 400 k").isEqualTo(340_000);
        aimd.forgetCapacity(); // the estimator does so when a loss-based cut goes under the capacity's lower bound
        aimd.setEstimate(340_000, 100_000);
        assertThat(aimd.update(BandwidthUsage.OVERUSING, 250_000, 400_000, 200_000)).isEqualTo(212_500);
        assertThat(aimd.capacityBps()).as("the acknowledged rate is the new capacity").isEqualTo(250_000);
    }

    @Test
    void aKnownCapacityLetsAnApplicationLimitedEstimateClimbBackWithoutAProbe() {
        AimdRateControl aimd = new AimdRateControl(300_000, 30_000, 10_000_000);
        aimd.update(BandwidthUsage.OVERUSING, 300_000, 0); // capacity 300 k, estimate 255 k
        aimd.setEstimate(100_000, 100_000);                // (e.g. a starved receiver's feedback)
        // Only audio is acknowledged now (50 k): 1.5 × 50 k + 10 k = 85 k would stop the climb at once.
        for (int i = 1; i <= 100; i++) aimd.update(BandwidthUsage.NORMAL, 50_000, 100_000 + i * 100_000L);
        assertThat(aimd.estimateBps()).isEqualTo(300_000);
    }

    @Test
    void anAcknowledgedRatePastTheCapacitysUpperBoundForgetsItAndTheIncreaseIsMultiplicativeAgain() {
        AimdRateControl aimd = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 0); // capacity 1 M, estimate 850 k
        aimd.update(BandwidthUsage.NORMAL, 1_000_000, 100_000); // leaves hold
        aimd.update(BandwidthUsage.NORMAL, 1_500_000, 200_000); // 1.5 M delivered: the link got faster
        assertThat(aimd.capacityBps()).isEqualTo(-1);
        long before = aimd.estimateBps();
        aimd.update(BandwidthUsage.NORMAL, 1_500_000, 1_200_000);
        assertThat(aimd.estimateBps() - before).as("8 %/s, not one packet per response time").isGreaterThan(60_000);
    }

    @Test
    void aProbeThatDidNotFillTheLinkIsNoSampleAndOnePastAKnownCapacityDoesNotMoveIt() {
        AimdRateControl aimd = new AimdRateControl(300_000, 30_000, 10_000_000);
        aimd.onProbeResult(250_000, true); // the burst arrived spread out: the link carries 250 k
        aimd.onProbeResult(240_000, false); // a lower bound only
        assertThat(aimd.capacityBps()).isEqualTo(250_000);
        // A 50 ms burst at 300 k fits a 2,000-byte token bucket and passes at its own rate: it reads above the link.
        aimd.onProbeResult(310_000, false);
        assertThat(aimd.capacityBps()).as("a probe past the upper bound (≈ 280 k) is no capacity").isEqualTo(250_000);
        aimd.setEstimate(295_000, 0); // the estimator still raises the estimate to what the probe proved
        aimd.update(BandwidthUsage.OVERUSING, 200_000, Long.MAX_VALUE, 100_000); // the link was not faster after all
        assertThat(aimd.estimateBps()).as("the cut goes below the link: 0.85 × 250 k, not × 310 k").isEqualTo(212_500);
    }

    @Test
    void theAcknowledgedRatePastTheUpperBoundAtAnOveruseRestartsTheCapacityFromIt() {
        AimdRateControl aimd = new AimdRateControl(300_000, 30_000, 10_000_000);
        aimd.onProbeResult(250_000, true);
        aimd.setEstimate(1_000_000, 0); // a probe proved 1 M after the link was lifted
        aimd.update(BandwidthUsage.OVERUSING, 900_000, Long.MAX_VALUE, 100_000);
        assertThat(aimd.capacityBps()).as("the full link delivered 900 k: the old 250 k is forgotten").isEqualTo(900_000);
        assertThat(aimd.estimateBps()).isEqualTo(765_000);
    }

    @Test
    void afterAGapTheControllerHoldsOneRound() {
        AimdRateControl aimd = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        long before = aimd.update(BandwidthUsage.NORMAL, -1, 0);
        aimd.onGap(-1);
        assertThat(aimd.update(BandwidthUsage.NORMAL, -1, 1_000_000)).isEqualTo(before);
        assertThat(aimd.update(BandwidthUsage.NORMAL, -1, 2_000_000)).isGreaterThan(before);
    }

    @Test
    void anOveruseRightAfterAGapCutsFromTheRateAcknowledgedBeforeItOnceNotOnEveryFeedback() {
        // Capacity unknown (an application-limited sender: 1.5 Mbit/s acknowledged, estimate 2.5 Mbit/s).
        AimdRateControl aimd = new AimdRateControl(2_500_000, 30_000, 10_000_000);
        aimd.onGap(1_500_000);
        long t = 0;
        for (int i = 0; i < 8; i++) aimd.update(BandwidthUsage.OVERUSING, -1, t += 50_000); // no window yet
        assertThat(aimd.estimateBps()).isEqualTo((long) (0.85 * 1_500_000));
        assertThat(aimd.capacityBps()).as("a rate from before the gap is no capacity sample").isEqualTo(-1);
        aimd.update(BandwidthUsage.OVERUSING, 1_000_000, t += 50_000); // measured again: GCC as usual
        assertThat(aimd.estimateBps()).isEqualTo(850_000);
    }
}
