package dev.chorus.media.simulcast;

import static dev.chorus.media.simulcast.BandwidthAllocator.Kind.AUDIO;
import static dev.chorus.media.simulcast.BandwidthAllocator.Kind.CAMERA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.bwe.SendSideBandwidthEstimator;
import dev.chorus.media.bwe.SimulatedPath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The subscriber's loop in simulated time: a 3-layer camera (150 k / 500 k / 1.7 M) plus audio sent over a
 * shaped bottleneck to a subscriber whose feedback drives the estimate. Each link ends on the layer that fits,
 * audio is never dropped from the allocation, and a lifted link goes back to the top layer within 20 s. (The real
 * Chromium version of this is the Must-show; this checks the control loop alone.)
 */
class SubscriberBandwidthTest {
    static final long[] CAMERA_RATES = {150_000, 500_000, 1_700_000};
    static final long[] AUDIO_RATE = {40_000};

    final List<String> told = new ArrayList<>();
    final SendSideBandwidthEstimator bwe = new SendSideBandwidthEstimator();
    final SubscriberBandwidth loop = new SubscriberBandwidth(bwe, (id, paused) -> told.add(id + (paused ? " paused" : " resumed")));
    final LayerSelector camera = new LayerSelector(90_000);
    SimulatedPath path;

    void link(long capacityBps) {
        path = new SimulatedPath(bwe, capacityBps, 200_000, 20_000);
        loop.add("mic", AUDIO, null, AUDIO_RATE, 0);
        loop.add("cam", CAMERA, camera, CAMERA_RATES, 2);
        // The publisher side sends what is allocated: audio + the target layer (switches are at key frames in
        // reality; the selector tests cover that part).
        path.sendRate = () -> AUDIO_RATE[0] + (camera.targetSpatial() < 0 ? 0 : CAMERA_RATES[camera.targetSpatial()]);
    }

    void run(long seconds) {
        for (long i = 0; i < seconds * 4; i++) {
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
        }
    }

    @Test
    void anUnlimitedLinkReachesTheTopLayer() {
        link(50_000_000);
        run(15);
        assertThat(camera.targetSpatial()).isEqualTo(2);
        assertThat(bwe.probesSucceeded()).isPositive();
    }

    @Test
    void anEightHundredKilobitLinkSettlesOnTheMiddleLayer() {
        link(800_000);
        run(15);
        assertThat(camera.targetSpatial()).isEqualTo(1);
        assertThat(loop.lastAllocation().of("mic").layer()).isZero();
    }

    @Test
    void aTwoHundredFiftyKilobitLinkGetsTheLowestLayerAndRecoversWhenLifted() {
        link(250_000);
        run(15);
        assertThat(camera.targetSpatial()).isZero();
        assertThat(loop.lastAllocation().of("mic").layer()).isZero();
        path.capacityBps = 50_000_000;
        long start = path.nowMicros;
        while (camera.targetSpatial() != 2 && path.nowMicros - start < 20_000_000) run(1);
        assertThat(camera.targetSpatial()).isEqualTo(2);
        assertThat(path.nowMicros - start).isLessThanOrEqualTo(20_000_000);
    }

    @Test
    void aLinkBelowTheLowestLayerPausesVideoTellsTheSubscriberAndKeepsAudio() {
        link(120_000);
        run(20);
        assertThat(camera.targetSpatial()).isEqualTo(LayerSelector.NONE);
        assertThat(told).contains("cam paused");
        assertThat(loop.lastAllocation().of("mic").layer()).isZero();
        path.capacityBps = 5_000_000;
        run(20);
        assertThat(camera.targetSpatial()).isPositive();
        assertThat(told.getLast()).isEqualTo("cam resumed");
    }

    @Test
    void twoCamerasOnTheStartEstimateBothPlayUntilTheLinkShowsALimit() {
        LayerSelector second = new LayerSelector(90_000);
        loop.add("mic1", AUDIO, null, AUDIO_RATE, 0);
        loop.add("mic2", AUDIO, null, AUDIO_RATE, 0);
        loop.add("cam1", CAMERA, camera, CAMERA_RATES, 2);
        loop.add("cam2", CAMERA, second, CAMERA_RATES, 2);
        // Before any feedback: 300 k start estimate, 380 k of audio and lowest layers. Nothing is paused.
        loop.update(0);
        assertThat(bwe.limitSeen()).isFalse();
        assertThat(camera.targetSpatial()).isZero();
        assertThat(second.targetSpatial()).isZero();
        assertThat(told).isEmpty();
        // A 250 k link cannot carry both: the estimator sees over-use or loss, and only then one camera is paused.
        path = new SimulatedPath(bwe, 250_000, 200_000, 20_000);
        path.sendRate = () -> 2 * AUDIO_RATE[0] + (camera.targetSpatial() < 0 ? 0 : CAMERA_RATES[camera.targetSpatial()])
                + (second.targetSpatial() < 0 ? 0 : CAMERA_RATES[second.targetSpatial()]);
        run(10);
        assertThat(bwe.limitSeen()).isTrue();
        assertThat(told).contains("cam2 paused").doesNotContain("cam1 paused");
        assertThat(camera.targetSpatial()).isZero();
    }

    /**
     * Session 6's flapping, in simulated time: on a 250 kbit/s link each (re)start of the lowest layer begins with a
     * key frame that queues in the bottleneck. The delay-based estimator must not cut the estimate of this
     * application-limited sender (audio + lowest layer, ~190 kbit/s acknowledged) below what the link has shown it
     * carries, or the video is paused, resumed by a probe with the next key frame, and paused again every ~2 s. (In
     * this simulation the old cut reached 171 kbit/s, not the 101-160 k of the real run: the pause itself is not
     * reproduced, the deeper cut is.) Small packets, as audio and a low layer send them: the trend sees the queue
     * grow within ~300 ms, before the key frame's bytes reach the acknowledged rate.
     */
    @Test
    void aTwoHundredFiftyKilobitLinkWithKeyFramesKeepsTheLowestLayerPlayingAndTheEstimateNearTheLink() {
        link(250_000);
        path.packetBytes = 300;
        int[] keyFrameBytes = {6_000, 20_000, 60_000};
        int last = camera.targetSpatial();
        long sinceKeyFrame = 0;
        List<Long> estimates = new ArrayList<>();
        int pausesAfterSettling = 0;
        for (int step = 0; step < 30 * 4; step++) {
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
            int target = camera.targetSpatial();
            sinceKeyFrame += 250_000;
            // A key frame of the target layer at every (re)start or switch, and every 3 s (receivers' PLIs).
            if (target >= 0 && (target != last || sinceKeyFrame >= 3_000_000)) {
                path.keyFrame(keyFrameBytes[target]);
                sinceKeyFrame = 0;
            }
            if (step >= 10 * 4) {
                estimates.add(bwe.estimateBps());
                if (target < 0) pausesAfterSettling++;
            }
            last = target;
        }
        assertThat(bwe.limitSeen()).isTrue();
        assertThat(pausesAfterSettling).as("allocations with the video paused after 10 s").isZero();
        assertThat(camera.targetSpatial()).isZero();
        assertThat(bwe.cutsFromCapacity()).as("over-use cuts from the link capacity").isPositive();
        // GCC's saw-tooth: each key frame's over-use cuts to 0.85 × the capacity (the link as measured: ~230-250 k),
        // never to 0.85 × the application-limited acknowledged rate (~200 k: 171 k before the capacity floor).
        assertThat(estimates).as("the estimate from 10 s to 30 s").allSatisfy(e -> assertThat(e).isBetween(187_500L, 300_000L));
        double mean = estimates.stream().mapToLong(Long::longValue).average().orElseThrow();
        assertThat(mean).as("mean estimate").isBetween(200_000.0, 300_000.0);
    }

    /**
     * Session 7's failed run: the estimate fell under the lowest layer once, right after joining (a cut from an
     * application-limited rate before any capacity was known), and the video was paused at once and stayed paused
     * until the next probe seconds later. A playing video is now held on its lowest layer for {@link
     * SubscriberBandwidth#PAUSE_HOLD_NANOS} while a probe checks the dip; a link that keeps it short all that time
     * pauses it then, not before.
     */
    @Test
    void aPlayingVideoShortOfItsLowestLayerIsHeldAndProbedBeforeItIsPaused() {
        // (At 130 k the loss is ~30 %, severe: that link pauses it at once, see the test of a link below the lowest layer.)
        // 160 k: audio + the lowest layer (190 k) lose ~15 % (not severe: no pause at once) and the estimate sinks.
        link(160_000);
        long firstShort = -1;
        long pausedAt = -1;
        long probesWhileHeld = 0;
        for (int step = 0; step < 20 * 4 && pausedAt < 0; step++) {
            long probes = bwe.probesStarted();
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
            if (firstShort < 0 && loop.lastAllocation().of("cam").lowestShort() && bwe.limitSeen()) firstShort = path.nowMicros;
            if (firstShort >= 0) probesWhileHeld += bwe.probesStarted() - probes;
            if (told.contains("cam paused")) pausedAt = path.nowMicros;
        }
        assertThat(firstShort).as("the 120 k link shows the lowest layer does not fit").isPositive();
        assertThat(pausedAt).as("paused in the end").isPositive();
        assertThat((pausedAt - firstShort) * 1000).as("held on the lowest layer first (2.5 s)")
                .isGreaterThanOrEqualTo(SubscriberBandwidth.PAUSE_HOLD_NANOS).isGreaterThanOrEqualTo(2_000_000_000L);
        assertThat(probesWhileHeld).as("a probe checks the dip during the hold").isPositive();
    }

    /**
     * A subscriber at its link's limit that wants a higher layer is probed for it with a growing back-off: a probe
     * that proves only a little above an estimate cut by a key frame's over-use (a full link still delivers its
     * capacity) has not reached the rate it was for, so it counts as failed, not as a success that restarts the 2 s
     * interval. In session 8's real run a 250 kbit/s subscriber was probed for the middle layer (420-564 kbit/s)
     * every 2-4 s, each burst queueing behind its video (freezes). Audio and the lowest layer in small packets, a key
     * frame at each (re)start and every 3 s, as in the test above.
     */
    @Test
    void probesForALayerTheLinkCannotCarryBackOff() {
        link(250_000);
        path.packetBytes = 300;
        long probesBefore = 0;
        long sinceKeyFrame = 0;
        int last = LayerSelector.NONE;
        for (int step = 0; step < 40 * 4; step++) {
            if (step == 10 * 4) probesBefore = bwe.probesStarted();
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
            int target = camera.targetSpatial();
            sinceKeyFrame += 250_000;
            if (target >= 0 && (target != last || sinceKeyFrame >= 3_000_000)) {
                path.keyFrame(6_000);
                sinceKeyFrame = 0;
            }
            last = target;
        }
        assertThat(camera.targetSpatial()).isZero();
        // Back-off 2, 4, 8, 8 s: at most 5 probes in 30 s (every 2 s would be 15).
        assertThat(bwe.probesStarted() - probesBefore).as("probes in 30 s at the link's limit").isBetween(1L, 5L);
    }

    /**
     * Issue 12's 250 kbit/s failures, the lever: audio + the whole lowest layer (190 k) do not fit a 170 k link, but
     * its TL0 + TL1 (90 k of 150 k: libwebrtc's L1T3 split) do. The video keeps playing at a reduced frame rate, is
     * never paused, and what is sent stays within the link almost all the time (before: the lowest layer whole,
     * ~12 % over the link, or paused).
     */
    @Test
    void aLinkThatCarriesTheLowestLayerOnlyAtAReducedFrameRateGetsItsTemporalLayersThatFit() {
        long[] temporal = {60_000, 90_000, 150_000};
        link(170_000);
        path.packetBytes = 300;
        loop.setLowestTemporalRates("cam", temporal);
        path.sendRate = () -> AUDIO_RATE[0] + sent(temporal);
        int over = 0;
        int reduced = 0;
        int steps = 0;
        for (int step = 0; step < 30 * 4; step++) {
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
            if (step < 10 * 4) continue;
            steps++;
            if (AUDIO_RATE[0] + sent(temporal) > 170_000) over++;
            if (camera.targetSpatial() == 0 && camera.targetTemporal() != BandwidthAllocator.ALL_TEMPORAL) reduced++;
        }
        assertThat(told).as("never paused").doesNotContain("cam paused");
        assertThat(camera.targetSpatial()).isZero();
        assertThat(reduced).as("allocations at a reduced frame rate after 10 s").isGreaterThan(steps / 2);
        assertThat(over).as("allocations sending more than the link after 10 s").isLessThanOrEqualTo(steps / 10);
        assertThat(loop.track("cam").grantedTemporal()).isEqualTo(camera.targetTemporal());
    }

    /**
     * Session 9's last 250 kbit/s failure, in simulated time: the link has a token bucket of 2,000 bytes (as the
     * real-Chromium test's tc tbf), so a 50 ms probe a little above the link passes whole at its own rate and "proves"
     * a rate the link does not have. The lowest layer whole (with audio 190 k) does not fit the 170 k link; its TL0 +
     * TL1 (130 k) do.
     * Neither a probe's burst (its own bytes lift the 1.5 × acknowledged cap of the increase) nor the estimate's
     * climb past the known capacity switches the video to its full frame rate, and a probe's false success would not
     * move the capacity (the cut after it goes below the link) and would be refuted by that cut ({@link ProbeBackoff}):
     * the link is overrun in at most a few allocations (before: 20 of 120, the capacity at 218 k from a probe).
     */
    @Test
    void aProbeThatATokenBucketLetsThroughIsRefutedByTheNextCutAndBacksOff() {
        long[] temporal = {60_000, 90_000, 150_000};
        link(170_000);
        path.bucketBytes = 2_000;
        path.packetBytes = 300;
        loop.setLowestTemporalRates("cam", temporal);
        path.sendRate = () -> AUDIO_RATE[0] + sent(temporal);
        int over = 0;
        int steps = 0;
        long probesBefore = 0;
        for (int step = 0; step < 40 * 4; step++) {
            if (step == 10 * 4) probesBefore = bwe.probesStarted();
            path.run(250_000);
            loop.update(path.nowMicros * 1000);
            if (step < 10 * 4) continue;
            steps++;
            if (AUDIO_RATE[0] + sent(temporal) > 170_000) over++;
        }
        System.out.println("token bucket: over " + over + "/" + steps + ", probes " + (bwe.probesStarted() - probesBefore)
                + " (" + bwe.probesSucceeded() + " succeeded, " + loop.refutedProbes() + " refuted in all), capacity "
                + bwe.capacityBps() + ", estimate " + bwe.estimateBps());
        assertThat(told).as("never paused").doesNotContain("cam paused");
        assertThat(camera.targetSpatial()).isZero();
        assertThat(over).as("allocations sending more than the link after 10 s").isLessThanOrEqualTo(steps / 10);
        // Back-off 2, 4, 8, 8 s after refuted successes: at most 6 probes in 30 s (every 2 s would be 15).
        assertThat(bwe.probesStarted() - probesBefore).as("probes in 30 s").isLessThanOrEqualTo(6);
    }

    /** What the camera sends at its selector's target: a spatial layer, the lowest at its temporal target. */
    private long sent(long[] temporal) {
        int s = camera.targetSpatial();
        if (s < 0) return 0;
        if (s > 0) return CAMERA_RATES[s];
        return temporal[Math.min(camera.targetTemporal(), temporal.length - 1)];
    }

    @Test
    void theLayersLeaveHeadroomForRetransmissionsThatGrowsWithLoss() {
        assertThat(SubscriberBandwidth.retransmissionHeadroom(0)).isEqualTo(0.05);
        assertThat(SubscriberBandwidth.retransmissionHeadroom(0.07)).isEqualTo(0.07);
        assertThat(SubscriberBandwidth.retransmissionHeadroom(0.4))
                .as("no more than mayRetransmit always allows").isEqualTo(0.10);
        // On the start estimate (300 k, no loss): 285 k to share; audio 40 k + the lowest layer 150 k + 1.1 × the
        // 350 k step to the middle layer do not fit, so the camera stays on the lowest layer.
        loop.add("mic", AUDIO, null, AUDIO_RATE, 0);
        loop.add("cam", CAMERA, camera, CAMERA_RATES, 2);
        BandwidthAllocator.Allocation a = loop.update(1_000_000_000L);
        assertThat(a.usedBps()).isEqualTo(190_000);
        assertThat(a.probeTargetBps()).as("named within the shared part").isEqualTo(190_000 + 385_000);
        assertThat(bwe.activeProbe()).isNotNull();
        assertThat(bwe.activeProbe().targetBps()).as("the estimate that gives it: (need / 0.95) × 1.25")
                .isEqualTo((long) ((190_000 + 385_000) / 0.95 * SubscriberBandwidth.PROBE_OVERSHOOT));
    }
}
