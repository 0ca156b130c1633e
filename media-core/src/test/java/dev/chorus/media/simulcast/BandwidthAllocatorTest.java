package dev.chorus.media.simulcast;

import static dev.chorus.media.simulcast.BandwidthAllocator.Kind.AUDIO;
import static dev.chorus.media.simulcast.BandwidthAllocator.Kind.CAMERA;
import static dev.chorus.media.simulcast.BandwidthAllocator.Kind.SCREEN;
import static dev.chorus.media.simulcast.LayerSelector.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.simulcast.BandwidthAllocator.Allocation;
import dev.chorus.media.simulcast.BandwidthAllocator.Track;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sharing one subscriber's estimate: audio, then screen share, then cameras by priority; pause what cannot fit. */
class BandwidthAllocatorTest {
    static final long[] CAMERA_RATES = {150_000, 500_000, 1_700_000};
    static final long[] SCREEN_RATES = {1_000_000};
    static final long[] AUDIO_RATE = {40_000};

    private final BandwidthAllocator allocator = new BandwidthAllocator();

    static Track camera(String id, int priority, int wanted, int current) {
        return new Track(id, CAMERA, priority, CAMERA_RATES, wanted, current);
    }

    static Track audio(String id) {
        return new Track(id, AUDIO, 0, AUDIO_RATE, 0, 0);
    }

    @Test
    void anUnlimitedLinkGetsEveryTrackAtWhatItWants() {
        Allocation a = allocator.allocate(10_000_000, List.of(audio("a"), camera("c", 0, 2, 2), camera("thumb", 0, 0, 0)));
        assertThat(a.of("a").layer()).isZero();
        assertThat(a.of("c").layer()).isEqualTo(2);
        assertThat(a.of("thumb").layer()).as("a 160x90 element wants the lowest layer").isZero();
        assertThat(a.usedBps()).isEqualTo(40_000 + 1_700_000 + 150_000);
        assertThat(a.probeTargetBps()).isZero();
    }

    @Test
    void anEightHundredKilobitLinkGetsTheMiddleLayerAndAskedForAProbe() {
        Allocation a = allocator.allocate(800_000, List.of(audio("a"), camera("c", 0, 2, NONE)));
        assertThat(a.of("c").layer()).isEqualTo(1);
        assertThat(a.usedBps()).isEqualTo(540_000);
        assertThat(a.probeTargetBps()).isEqualTo(800_000 + (long) (1_200_000 * 1.1) - 260_000);
    }

    @Test
    void audioComesFirstAndVideoThatCannotFitIsPausedForBandwidth() {
        Allocation a = allocator.allocate(100_000, List.of(camera("c", 0, 2, 0), audio("a")));
        assertThat(a.of("a").layer()).isZero();
        assertThat(a.of("c").layer()).isEqualTo(NONE);
        assertThat(a.of("c").pausedForBandwidth()).isTrue();
        assertThat(a.probeTargetBps()).as("what would resume it").isEqualTo(100_000 + 165_000 - 60_000);
        // Audio is never paused, even when the estimate is below it.
        assertThat(allocator.allocate(10_000, List.of(audio("a"))).of("a").layer()).isZero();
    }

    @Test
    void screenShareBeforeCamerasAndCamerasByPriority() {
        List<Track> tracks = List.of(camera("low", 1, 2, NONE), camera("high", 5, 2, NONE),
                new Track("screen", SCREEN, 0, SCREEN_RATES, 0, NONE), audio("a"));
        Allocation a = allocator.allocate(1_400_000, tracks);
        assertThat(a.of("screen").layer()).isZero();
        // 1.4 M − 40 k − 1 M = 360 k: both cameras get their lowest (300 k), the rest is not enough to raise one.
        assertThat(a.of("high").layer()).isZero();
        assertThat(a.of("low").layer()).isZero();
        Allocation b = allocator.allocate(1_800_000, tracks);
        assertThat(b.of("high").layer()).as("priority raises first").isEqualTo(1);
        assertThat(b.of("low").layer()).isZero();
        Allocation c = allocator.allocate(1_250_000, tracks); // 210 k after screen and audio: one lowest layer
        assertThat(c.of("high").layer()).isZero();
        assertThat(c.of("low").layer()).isEqualTo(NONE);
        assertThat(c.of("low").pausedForBandwidth()).isTrue();
    }

    @Test
    void aHiddenTrackGetsNothingAndIsNotCalledPausedForBandwidth() {
        Allocation a = allocator.allocate(10_000_000, List.of(camera("hidden", 0, NONE, 2)));
        assertThat(a.of("hidden").layer()).isEqualTo(NONE);
        assertThat(a.of("hidden").pausedForBandwidth()).isFalse();
        assertThat(a.usedBps()).isZero();
    }

    @Test
    void keepingALayerNeedsItsRateButRaisingNeedsHeadroom() {
        // 540 k exactly: the middle layer is kept by whoever has it, not granted to whoever has not.
        assertThat(allocator.allocate(540_000, List.of(audio("a"), camera("c", 0, 2, 1))).of("c").layer()).isEqualTo(1);
        assertThat(allocator.allocate(540_000, List.of(audio("a"), camera("c", 0, 2, 0))).of("c").layer()).isZero();
        assertThat(allocator.allocate(580_000, List.of(audio("a"), camera("c", 0, 2, 0))).of("c").layer()).isEqualTo(1);
    }

    @Test
    void anUnmeasuredEstimatePausesNoVideoEveryWantedVideoStartsOnItsLowestLayer() {
        // A late joiner on the 300 k start estimate with two publishers: 80 k of audio + 2 × 150 k does not fit.
        List<Track> lateJoiner = List.of(audio("a1"), audio("a2"), camera("c1", 0, 2, NONE), camera("c2", 0, 2, NONE));
        Allocation unmeasured = allocator.allocate(300_000, lateJoiner, false);
        assertThat(unmeasured.of("c1").layer()).isZero();
        assertThat(unmeasured.of("c2").layer()).as("not paused on a start value").isZero();
        assertThat(unmeasured.of("c2").pausedForBandwidth()).isFalse();
        assertThat(unmeasured.usedBps()).isEqualTo(380_000);
        assertThat(unmeasured.probeTargetBps()).as("the layer above is probed for on top of what is sent")
                .isEqualTo(380_000 + (long) (350_000 * 1.1));
        // The same estimate once the path has shown its limit: the second camera does not fit and is paused.
        Allocation measured = allocator.allocate(300_000, lateJoiner, true);
        assertThat(measured.of("c1").layer()).isZero();
        assertThat(measured.of("c2").pausedForBandwidth()).isTrue();
        // Hidden videos stay unsent either way.
        assertThat(allocator.allocate(300_000, List.of(camera("hidden", 0, NONE, NONE)), false).of("hidden").layer())
                .isEqualTo(NONE);
    }

    @Test
    void aHeldVideoKeepsItsLowestLayerGetsNothingAboveAndNamesItsDeficitAsTheProbeTarget() {
        // 100 k: 60 k after audio, under 0.7 × 150 k. Held by the caller (short for less than its hold time):
        // still on the lowest layer, not paused, and the probe aims at what keeps it (not at the next layer).
        Track held = new Track("c", CAMERA, 0, CAMERA_RATES, 2, 0, true);
        Allocation a = allocator.allocate(100_000, List.of(audio("a"), held));
        assertThat(a.of("c").layer()).isZero();
        assertThat(a.of("c").pausedForBandwidth()).isFalse();
        assertThat(a.of("c").lowestShort()).isTrue();
        assertThat(a.usedBps()).isEqualTo(190_000);
        assertThat(a.probeTargetBps()).as("audio + 1.1 × the lowest layer").isEqualTo(40_000 + 165_000);
        // Not held: the same estimate pauses it, with the same target.
        Allocation b = allocator.allocate(100_000, List.of(audio("a"), camera("c", 0, 2, 0)));
        assertThat(b.of("c").pausedForBandwidth()).isTrue();
        assertThat(b.probeTargetBps()).isEqualTo(40_000 + 165_000);
        // A held video whose lowest layer fits is an ordinary one: raised when the estimate allows.
        Allocation c = allocator.allocate(800_000, List.of(audio("a"), held));
        assertThat(c.of("c").layer()).isEqualTo(1);
        assertThat(c.of("c").lowestShort()).isFalse();
    }

    /** The lowest layer's rate with TL0, TL0+TL1 and all three (libwebrtc's L1T3 split: 40 %, 60 %, 100 %). */
    static final long[] LOWEST_TEMPORAL = {60_000, 90_000, 150_000};

    static Track layered(int current, int currentTemporal) {
        return new Track("c", CAMERA, 0, CAMERA_RATES, 2, current, false, LOWEST_TEMPORAL, currentTemporal);
    }

    @Test
    void aLowestLayerTheEstimateCoversOnlyAtAReducedFrameRateIsSentAtTheTemporalLayersThatFit() {
        // 170 k: 130 k after audio, under the whole lowest layer (150 k): TL0 + TL1 (90 k), neither overrunning the
        // link with the whole layer nor pausing; the probe aims at the whole layer.
        Allocation a = allocator.allocate(170_000, List.of(audio("a"), layered(0, BandwidthAllocator.ALL_TEMPORAL)));
        assertThat(a.of("c").layer()).isZero();
        assertThat(a.of("c").temporal()).isEqualTo(1);
        assertThat(a.of("c").pausedForBandwidth()).isFalse();
        assertThat(a.of("c").lowestShort()).isFalse();
        assertThat(a.usedBps()).isEqualTo(40_000 + 90_000);
        assertThat(a.probeTargetBps()).as("what is used + 1.1 × the next step").isEqualTo(130_000 + 66_000);
        // 120 k: TL0 alone.
        Allocation b = allocator.allocate(120_000, List.of(audio("a"), layered(0, 1)));
        assertThat(b.of("c").temporal()).isZero();
        assertThat(b.usedBps()).isEqualTo(100_000);
        // 80 k: 40 k after audio, under 0.7 × TL0: paused; resuming needs audio + 1.1 × TL0.
        Allocation c = allocator.allocate(80_000, List.of(audio("a"), layered(0, 0)));
        assertThat(c.of("c").pausedForBandwidth()).isTrue();
        assertThat(c.probeTargetBps()).isEqualTo(40_000 + 66_000);
        // Held by the caller instead: TL0 only while it waits.
        Track held = new Track("c", CAMERA, 0, CAMERA_RATES, 2, 0, true, LOWEST_TEMPORAL, 0);
        Allocation d = allocator.allocate(80_000, List.of(audio("a"), held));
        assertThat(d.of("c").layer()).isZero();
        assertThat(d.of("c").temporal()).isZero();
        assertThat(d.of("c").lowestShort()).isTrue();
    }

    @Test
    void aFrameRateGoesUpOnlyWithHeadroomAndDownAsSoonAsItDoesNotFit() {
        // On TL0 + TL1: the whole layer (150 k) needs 1.1 × it (165 k) after audio.
        assertThat(allocator.allocate(190_000, List.of(audio("a"), layered(0, 1))).of("c").temporal()).isEqualTo(1);
        assertThat(allocator.allocate(206_000, List.of(audio("a"), layered(0, 1))).of("c").temporal())
                .isEqualTo(BandwidthAllocator.ALL_TEMPORAL);
        // On the whole layer: kept while it fits, down a step as soon as it does not.
        assertThat(allocator.allocate(190_000, List.of(audio("a"), layered(0, BandwidthAllocator.ALL_TEMPORAL)))
                .of("c").temporal()).isEqualTo(BandwidthAllocator.ALL_TEMPORAL);
        assertThat(allocator.allocate(189_000, List.of(audio("a"), layered(0, BandwidthAllocator.ALL_TEMPORAL)))
                .of("c").temporal()).isEqualTo(1);
        // From the middle layer down: straight to the step that fits.
        Allocation fromMiddle = allocator.allocate(130_000, List.of(audio("a"), layered(1, BandwidthAllocator.ALL_TEMPORAL)));
        assertThat(fromMiddle.of("c").layer()).isZero();
        assertThat(fromMiddle.of("c").temporal()).isEqualTo(1);
    }

    @Test
    void withoutTemporalLayersOrOnAnUnmeasuredEstimateTheLowestLayerGoesWhole() {
        // No temporal rates (H.264, or not measured yet): the whole lowest layer, kept down to 0.7 × its rate.
        Allocation a = allocator.allocate(150_000, List.of(audio("a"), camera("c", 0, 2, 0)));
        assertThat(a.of("c").layer()).isZero();
        assertThat(a.of("c").temporal()).isEqualTo(BandwidthAllocator.ALL_TEMPORAL);
        // A start value is no reason to lower the frame rate.
        Allocation b = allocator.allocate(120_000, List.of(audio("a"), layered(NONE, BandwidthAllocator.ALL_TEMPORAL)), false);
        assertThat(b.of("c").layer()).isZero();
        assertThat(b.of("c").temporal()).isEqualTo(BandwidthAllocator.ALL_TEMPORAL);
        // Above the lowest layer nothing is granted at a reduced frame rate.
        Allocation c = allocator.allocate(800_000, List.of(audio("a"), layered(0, 0)));
        assertThat(c.of("c").layer()).isEqualTo(1);
        assertThat(c.of("c").temporal()).isEqualTo(BandwidthAllocator.ALL_TEMPORAL);
    }
}
