package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Layer selection as a subscriber's decoder sees it: spatial switches only at a key frame of the target, temporal
 * switches at TL0 pictures, and one continuous stream of sequence numbers, timestamps, picture ids and TL0PICIDX.
 */
class LayerSelectorTest {
    record Out(int layer, int seq, long ts, int pictureId, int tl0, int tid, boolean keyframe, boolean start) {}
    /** One source picture of a layer and whether the selector forwarded it (pictures go whole or not at all). */
    record Src(int layer, int tid, boolean sync, boolean keyframe, boolean forwarded) {}

    private LayerSelector selector = new LayerSelector(90_000);
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8Descriptor vp8 = new Vp8Descriptor();
    private final List<Out> out = new ArrayList<>();
    private final List<Src> sources = new ArrayList<>();
    private Vp8Source[] layers;
    private long now = 1_000_000_000L;
    /** When set (to {@link #selector}), {@code frame} asks {@code ignores} first, as the SFU's forwarding loop does. */
    private LayerSelector ignoring;
    private int ignored;

    @BeforeEach
    void publisher() {
        // Three encodings with unrelated numbering, as three independent encoders have.
        layers = new Vp8Source[] {
            new Vp8Source(0x1111, "q", 100, 1_000, 10, 1),
            new Vp8Source(0x2222, "h", 40_000, 900_000, 2_000, 2),
            new Vp8Source(0x3333, "f", 65_530, 0xFFFF_FF00L, 0x7FFA, 3),
        };
    }

    /** One 33 ms frame on every layer; {@code keyframeOn} = the layer that sends a key frame (-1 none). */
    private void frame(int keyframeOn) {
        now += 33_333_333L;
        for (int l = 0; l < layers.length; l++) {
            int tid = l == keyframeOn ? 0 : layers[l].nextTid();
            boolean sync = l != keyframeOn && layers[l].nextSync();
            boolean first = true;
            for (byte[] p : layers[l].picture(l == keyframeOn)) {
                assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
                assertThat(vp8.parse(p, rtp.payloadOffset(), rtp.payloadLength())).isTrue();
                if (ignoring != null && ignoring.ignores(l)) {
                    ignored++;
                    if (first) sources.add(new Src(l, tid, sync, l == keyframeOn, false));
                    first = false;
                    continue;
                }
                boolean accepted = selector.accept(l, rtp, vp8, now);
                if (first) sources.add(new Src(l, tid, sync, l == keyframeOn, accepted));
                first = false;
                if (accepted) {
                    rtp.wrap(p, 0, p.length);
                    vp8.parse(p, rtp.payloadOffset(), rtp.payloadLength());
                    out.add(new Out(l, rtp.sequenceNumber(), rtp.timestamp(), vp8.pictureId(), vp8.tl0PicIdx(),
                            vp8.temporalId(), vp8.keyframe(), vp8.startOfPicture()));
                }
            }
        }
    }

    private void frames(int n) {
        for (int i = 0; i < n; i++) frame(-1);
    }

    /** Sequence numbers, picture ids and TL0PICIDX continue without gaps; timestamps never go back. */
    private void assertContinuous() {
        for (int i = 1; i < out.size(); i++) {
            Out a = out.get(i - 1);
            Out b = out.get(i);
            assertThat(b.seq()).as("seq after %s", a).isEqualTo((a.seq() + 1) & 0xFFFF);
            long dts = (b.ts() - a.ts()) & 0xFFFFFFFFL;
            assertThat(dts).as("ts after %s", a).isLessThan(0x8000_0000L);
            if (b.start()) {
                assertThat(dts).as("a new picture has a later timestamp: %s", b).isPositive();
                assertThat(b.pictureId()).as("picture id after %s", a).isEqualTo((a.pictureId() + 1) & 0x7FFF);
                int dTl0 = (b.tl0() - a.tl0()) & 0xFF;
                assertThat(dTl0).as("TL0PICIDX after %s", a).isEqualTo(b.tid() == 0 ? 1 : 0);
            } else {
                assertThat(b.pictureId()).isEqualTo(a.pictureId());
                assertThat(b.ts()).isEqualTo(a.ts());
            }
        }
    }

    @Test
    void nothingFlowsUntilAKeyFrameOfTheTargetLayer() {
        selector.setTarget(1, Integer.MAX_VALUE);
        frames(5);
        assertThat(out).isEmpty();
        assertThat(selector.keyframeNeeded()).isTrue();
        frame(0); // a key frame of another layer does not help
        assertThat(out).isEmpty();
        frame(1);
        assertThat(selector.keyframeNeeded()).isFalse();
        assertThat(selector.currentSpatial()).isEqualTo(1);
        assertThat(out.getFirst().keyframe()).isTrue();
        frames(8);
        assertThat(out).allMatch(o -> o.layer() == 1);
        assertThat(out).hasSize(2 * 9);
        assertContinuous();
    }

    @Test
    void aSpatialSwitchWaitsForTheTargetsKeyFrameAndContinuesTheStream() {
        selector.setTarget(0, Integer.MAX_VALUE);
        frame(0);
        frames(6);
        selector.setTarget(2, Integer.MAX_VALUE);
        frames(3);
        assertThat(selector.currentSpatial()).as("still on the old layer until a key frame").isEqualTo(0);
        assertThat(selector.keyframeNeeded()).isTrue();
        assertThat(out).allMatch(o -> o.layer() == 0);
        frame(2);
        frames(5);
        assertThat(selector.currentSpatial()).isEqualTo(2);
        assertThat(selector.spatialSwitches()).isEqualTo(1);
        Out firstHigh = out.stream().filter(o -> o.layer() == 2).findFirst().orElseThrow();
        assertThat(firstHigh.keyframe()).isTrue();
        assertContinuous();
    }

    @Test
    void twentyForcedSwitchesEachStartOnAKeyFrameAndNeverMixLayers() {
        selector.setTarget(0, Integer.MAX_VALUE);
        frame(0);
        int[] targets = {2, 1, 0, 2, 0, 1, 2, 1, 0, 1, 2, 0, 2, 1, 0, 2, 0, 1, 2, 0};
        for (int target : targets) {
            frames(3);
            selector.setTarget(target, Integer.MAX_VALUE);
            frames(2);
            frame(target);
            frames(2);
        }
        assertThat(selector.spatialSwitches()).isEqualTo(20);
        // Every run of one layer starts on a key frame; no picture holds packets of two layers.
        for (int i = 1; i < out.size(); i++) {
            Out a = out.get(i - 1);
            Out b = out.get(i);
            if (a.layer() != b.layer()) {
                assertThat(b.keyframe()).as("switch to %d at %s", b.layer(), b).isTrue();
            }
            if (!b.start()) assertThat(b.layer()).isEqualTo(a.layer());
        }
        assertContinuous();
    }

    @Test
    void aPacketItIgnoresIsOneAcceptWouldHaveDroppedSoTheOutputIsTheSame() {
        List<Out> withAcceptOnly = switchesAndPauses();
        publisher();
        out.clear();
        selector = new LayerSelector(90_000);
        ignoring = selector;
        List<Out> withIgnoresFirst = switchesAndPauses();
        assertThat(ignored).as("packets of other layers skipped early").isPositive();
        assertThat(withIgnoresFirst).isEqualTo(withAcceptOnly);
    }

    /** Spatial switches both ways, a pause and a resume, with key frames on other layers in between. */
    private List<Out> switchesAndPauses() {
        selector.setTarget(1, Integer.MAX_VALUE);
        frame(0);
        frame(1);
        frames(3);
        for (int target : new int[] {2, 0, LayerSelector.NONE, 1, 2}) {
            selector.setTarget(target, Integer.MAX_VALUE);
            frames(2);
            frame(0);
            frame(target);
            frames(3);
        }
        assertThat(selector.currentSpatial()).isEqualTo(2);
        return new ArrayList<>(out);
    }

    /**
     * Every forwarded picture of {@code layer} has what it refers to ({@link Vp8Source#references}): since the last
     * forwarded key frame, the latest picture of each temporal layer it needs came and was forwarded. What a
     * decoder (and Chromium's reference finder, which otherwise waits) needs of a stream with dropped pictures.
     */
    private void assertDecodable(int layer) {
        boolean[] seen = new boolean[3];
        boolean[] latestForwarded = new boolean[3];
        boolean keyed = false;
        for (Src s : sources) {
            if (s.layer() != layer) continue;
            if (s.keyframe() && s.forwarded()) {
                keyed = true;
                java.util.Arrays.fill(seen, false);
            }
            if (s.forwarded()) {
                assertThat(keyed).as("nothing before a key frame: %s", s).isTrue();
                if (!s.keyframe()) {
                    for (int r : Vp8Source.references(s.tid(), s.sync())) {
                        assertThat(seen[r] && latestForwarded[r]).as("%s has its TL%d reference", s, r).isTrue();
                    }
                }
            }
            seen[s.tid()] = true;
            latestForwarded[s.tid()] = s.forwarded();
        }
    }

    @Test
    void droppedTemporalLayersLeaveNoHolesAndUpSwitchesWaitForALayerSync() {
        selector.setTarget(2, 0);
        frame(2);
        frames(11);
        assertThat(out).allMatch(o -> o.tid() == 0);
        assertThat(selector.currentTemporal()).isZero();
        assertContinuous();
        // Up to all temporal layers: not at a TL0 picture (the TL1 and TL2 pictures after it in the second half of
        // libwebrtc's cycle refer to a TL1 picture that was dropped), only at the next layer sync.
        while (layers[2].nextTid() != 0 || layers[2].nextSync() || !followedByNonSync(layers[2])) frame(-1);
        int before = out.size();
        selector.setTarget(2, 2);
        frames(4); // TL0, then TL2, TL1, TL2 that are no layer syncs: dropped
        assertThat(out.subList(before, out.size())).allMatch(o -> o.tid() == 0);
        assertThat(selector.currentTemporal()).isZero();
        while (!(layers[2].nextSync() && layers[2].nextTid() > 0)) frame(-1);
        frames(8);
        assertThat(selector.currentTemporal()).isEqualTo(2);
        assertThat(out.subList(before, out.size())).extracting(Out::tid).contains(0, 1, 2);
        assertContinuous();
        assertDecodable(2);
        // Down again: at once.
        selector.setTarget(2, 1);
        frames(8);
        assertThat(out.subList(out.size() - 3 * 4, out.size())).allMatch(o -> o.tid() <= 1);
        assertContinuous();
        // And up again from TL1: at the next TL2 layer sync.
        selector.setTarget(2, 2);
        frames(16);
        assertThat(selector.currentTemporal()).isEqualTo(2);
        assertContinuous();
        assertDecodable(2);
    }

    /** The source's next picture is a TL0 whose cycle position is the second half (no layer sync follows it). */
    private static boolean followedByNonSync(Vp8Source s) {
        return s.frame % 8 == 4;
    }

    @Test
    void aKeyFrameOfTheCurrentLayerLiftsTheTemporalLayerAtOnce() {
        selector.setTarget(0, 0);
        frame(0);
        frames(6);
        selector.setTarget(0, Integer.MAX_VALUE);
        while (layers[0].nextSync()) frame(-1);
        frame(0); // a key frame refreshes every reference: all temporal layers from here
        frames(3);
        assertThat(selector.currentTemporal()).isEqualTo(Integer.MAX_VALUE);
        assertContinuous();
        assertDecodable(0);
    }

    @Test
    void aTl0ReducedStreamStaysDecodableAcrossManyTemporalChanges() {
        selector.setTarget(1, Integer.MAX_VALUE);
        frame(1);
        int[] targets = {0, 2, 1, 2, 0, 1, 0, Integer.MAX_VALUE};
        for (int round = 0; round < 3; round++) {
            for (int target : targets) {
                selector.setTarget(1, target);
                frames(5);
            }
        }
        assertContinuous();
        assertDecodable(1);
        assertThat(selector.temporalSwitches()).isGreaterThan(10);
    }

    @Test
    void aRetransmittedPacketGetsTheSameNumberAsTheFirstTime() {
        selector.setTarget(1, Integer.MAX_VALUE);
        frame(1);
        frames(2);
        List<byte[]> next = layers[1].picture(false);
        byte[] first = next.get(0).clone();
        byte[] late = next.get(1);
        assertThat(rtp.wrap(first, 0, first.length)).isEqualTo(RtpStatus.OK);
        vp8.parse(first, rtp.payloadOffset(), rtp.payloadLength());
        now += 33_333_333L;
        // The second packet arrives before the first one (reordering).
        byte[] secondCopy = late.clone();
        rtp.wrap(secondCopy, 0, secondCopy.length);
        vp8.parse(secondCopy, rtp.payloadOffset(), rtp.payloadLength());
        assertThat(selector.accept(1, rtp, vp8, now)).isTrue();
        int secondOut = rtp.sequenceNumber();
        rtp.wrap(first, 0, first.length);
        vp8.parse(first, rtp.payloadOffset(), rtp.payloadLength());
        assertThat(selector.accept(1, rtp, vp8, now)).isTrue();
        assertThat(rtp.sequenceNumber()).isEqualTo((secondOut - 1) & 0xFFFF);
    }

    @Test
    void pausingDropsEverythingAndResumingWaitsForAKeyFrame() {
        selector.setTarget(0, Integer.MAX_VALUE);
        frame(0);
        selector.setTarget(LayerSelector.NONE, 0);
        int before = out.size();
        frames(4);
        assertThat(out).hasSize(before);
        assertThat(selector.keyframeNeeded()).isFalse();
        selector.setTarget(0, Integer.MAX_VALUE);
        frames(2);
        assertThat(out).hasSize(before);
        assertThat(selector.keyframeNeeded()).isTrue();
        frame(0);
        frames(2);
        assertThat(out.size()).isGreaterThan(before);
        assertContinuous();
    }

    /**
     * Chromium's VP8 simulcast as it arrives (no picture id, no TID; N on the frames nothing refers to): temporal
     * target 0 forwards the reference frames only (half the pictures of L1T3), without holes in the sequence numbers,
     * and all pictures again from the next discardable one on.
     */
    @Test
    void withoutTemporalIndicesTheDiscardableFramesAreTheUpperLayer() {
        for (Vp8Source l : layers) l.bare = true;
        selector.setTarget(0, 0);
        frame(0);
        frames(15);
        assertThat(out).hasSize(8).allMatch(o -> o.pictureId() == PayloadDescriptor.ABSENT);
        assertThat(sources.stream().filter(s -> s.layer() == 0 && s.forwarded()).allMatch(s -> s.tid() < 2)).isTrue();
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i).seq()).isEqualTo((out.get(i - 1).seq() + 1) & 0xFFFF);
            assertThat(out.get(i).ts()).isGreaterThan(out.get(i - 1).ts());
        }
        selector.setTarget(0, Integer.MAX_VALUE);
        int before = out.size();
        frames(8);
        assertThat(out.size() - before).as("all pictures again within a picture or two").isGreaterThanOrEqualTo(7);
        assertThat(selector.currentTemporal()).isGreaterThanOrEqualTo(1);
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i).seq()).isEqualTo((out.get(i - 1).seq() + 1) & 0xFFFF);
        }
    }
}
