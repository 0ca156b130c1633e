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
}
