package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VP9 SVC layer selection on a stream shaped like Chromium's {@code L3T3_KEY}: one SSRC, pictures of three spatial
 * layer frames (two packets each), temporal pattern 0, 2, 1, 2, a key picture (with the scalability structure) every
 * 16 pictures. What the subscriber gets: only the layers within its target, a marker on the last packet of its
 * highest spatial layer, sequence numbers and picture ids without holes; spatial up only at a key picture.
 */
class SvcSelectorTest {
    record Out(int seq, long ts, int pictureId, int tl0, int sid, int tid, boolean marker, boolean begin) {}

    private static final int[] TIDS = {0, 2, 1, 2};
    private final SvcSelector selector = new SvcSelector();
    private final Vp9Descriptor vp9 = new Vp9Descriptor();
    private final RtpPacket rtp = new RtpPacket();
    private final List<Out> out = new ArrayList<>();
    private int seq = 65_500;
    private long ts = 0xFFFF_0000L;
    private int pictureId = 0x7FF0;
    private int tl0 = 250;
    private int index;
    private int inputPackets;

    /** One picture; {@code key} makes it a key picture (P = 0, upper layers only inter-layer predicted, SS). */
    private void picture(boolean key) {
        int tid = key ? 0 : TIDS[index % 4];
        if (tid == 0) tl0 = (tl0 + 1) & 0xFF;
        List<byte[]> packets = new ArrayList<>();
        for (int sid = 0; sid < 3; sid++) {
            for (int part = 0; part < 2; part++) {
                boolean begin = part == 0;
                boolean end = part == 1;
                byte[] payload = Vp9Packets.nonFlexible(new Vp9Packets.Fields(pictureId, !key, tid,
                        tid > 0, sid, key && sid > 0, tl0, begin, end,
                        key && sid == 0 && begin ? Vp9DescriptorTest.L3 : null, 0), (byte) 0xAA);
                packets.add(rtp(payload, sid == 2 && end));
            }
        }
        for (byte[] p : packets) offer(p);
        ts = (ts + 3000) & 0xFFFFFFFFL;
        pictureId = (pictureId + 1) & 0x7FFF;
        index = key ? 1 : index + 1;
    }

    private byte[] rtp(byte[] payload, boolean marker) {
        byte[] b = new byte[12 + payload.length];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | 98);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        b[4] = (byte) (ts >>> 24); b[5] = (byte) (ts >>> 16); b[6] = (byte) (ts >>> 8); b[7] = (byte) ts;
        b[8] = 0x11;
        System.arraycopy(payload, 0, b, 12, payload.length);
        seq = (seq + 1) & 0xFFFF;
        return b;
    }

    private void offer(byte[] p) {
        inputPackets++;
        assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
        assertThat(vp9.parse(p, rtp.payloadOffset(), rtp.payloadLength())).isTrue();
        if (!selector.accept(rtp, vp9)) return;
        rtp.wrap(p, 0, p.length);
        vp9.parse(p, rtp.payloadOffset(), rtp.payloadLength());
        out.add(new Out(rtp.sequenceNumber(), rtp.timestamp(), vp9.pictureId(), vp9.tl0PicIdx(), vp9.spatialId(),
                vp9.temporalId(), rtp.marker(), vp9.beginOfFrame()));
    }

    private void pictures(int n) {
        for (int i = 0; i < n; i++) picture(false);
    }

    /** Sequence numbers +1, picture ids +1 per forwarded picture, a marker exactly where each picture ends. */
    private void assertContinuous(List<Out> list) {
        for (int i = 1; i < list.size(); i++) {
            Out a = list.get(i - 1);
            Out b = list.get(i);
            assertThat(b.seq()).as("seq after %s", a).isEqualTo((a.seq() + 1) & 0xFFFF);
            if (b.ts() != a.ts()) {
                assertThat(a.marker()).as("the picture before %s ended with a marker", b).isTrue();
                assertThat(b.pictureId()).as("picture id after %s", a).isEqualTo((a.pictureId() + 1) & 0x7FFF);
            } else {
                assertThat(a.marker()).as("no marker inside a picture: %s", a).isFalse();
            }
        }
    }

    @Test
    void nothingIsForwardedBeforeAKeyPicture() {
        selector.setTarget(2, Integer.MAX_VALUE);
        pictures(6);
        assertThat(out).isEmpty();
        assertThat(selector.keyframeNeeded()).isTrue();
        picture(true);
        assertThat(out).hasSize(6);
        assertThat(selector.keyframeNeeded()).isFalse();
        assertThat(selector.currentSpatial()).isEqualTo(2);
    }

    @Test
    void forwardsOnlyTheLayersWithinTheTargetWithAMarkerOnItsHighestSpatialLayer() {
        selector.setTarget(1, 1);
        picture(true);
        pictures(15);
        // 16 pictures, of which TID 2 (every other picture after the key) is dropped: 1 + 7 (TID 0/1) pictures kept.
        assertThat(out).allSatisfy(o -> {
            assertThat(o.sid()).isLessThanOrEqualTo(1);
            assertThat(o.tid()).isLessThanOrEqualTo(1);
            assertThat(o.marker()).isEqualTo(o.sid() == 1 && !o.begin());
        });
        assertThat(out).hasSize(8 * 4);
        assertContinuous(out);
        assertThat(out.getFirst().pictureId()).isEqualTo(0x7FF0);
        assertThat(out.getLast().pictureId()).as("7 pictures later, without holes").isEqualTo(0x7FF7);
        assertThat(selector.droppedPackets()).isEqualTo(inputPackets - out.size());
    }

    @Test
    void spatialUpWaitsForAKeyPictureAndDownTakesEffectAtTheNextPicture() {
        selector.setTarget(0, Integer.MAX_VALUE);
        picture(true);
        pictures(3);
        assertThat(out).allMatch(o -> o.sid() == 0);
        selector.setTarget(2, Integer.MAX_VALUE);
        pictures(5);
        assertThat(selector.keyframeNeeded()).isTrue();
        assertThat(out).allMatch(o -> o.sid() == 0);
        int before = out.size();
        picture(true);
        assertThat(out.subList(before, out.size())).extracting(Out::sid).containsExactly(0, 0, 1, 1, 2, 2);
        selector.setTarget(1, Integer.MAX_VALUE);
        before = out.size();
        picture(false);
        assertThat(out.subList(before, out.size())).extracting(Out::sid).containsExactly(0, 0, 1, 1);
        assertThat(selector.spatialSwitches()).isEqualTo(2);
        assertContinuous(out);
    }

    @Test
    void temporalUpWaitsForAKeyOrSwitchingUpPicture() {
        selector.setTarget(2, 0);
        picture(true);
        pictures(4); // TIDs 2, 1, 2, 0
        assertThat(out).extracting(Out::tid).containsOnly(0);
        selector.setTarget(2, 2);
        pictures(1); // TID 2 with U: a switching-up point to 2
        assertThat(selector.currentTemporal()).isEqualTo(2);
        assertThat(out.getLast().tid()).isEqualTo(2);
        assertContinuous(out);
    }

    @Test
    void aPausedConsumerResumesAtAKeyPictureWithoutAHole() {
        selector.setTarget(0, Integer.MAX_VALUE);
        picture(true);
        pictures(2);
        selector.setTarget(SvcSelector.NONE, Integer.MAX_VALUE);
        pictures(3);
        int paused = out.size();
        selector.setTarget(0, Integer.MAX_VALUE);
        pictures(2);
        assertThat(out).hasSize(paused);
        picture(true);
        assertThat(out).hasSize(paused + 2);
        assertContinuous(out);
    }

    @Test
    void aLatePacketOfAForwardedLayerIsForwardedOneBehindADropIsNot() {
        selector.setTarget(1, Integer.MAX_VALUE);
        picture(true);
        // Picture 2 arrives with its SID 0 packets swapped (both forwarded, in their places), then its SID 1 end
        // packet only after a SID 2 packet that was dropped: its place in the output is ambiguous, so it is dropped.
        List<byte[]> packets = new ArrayList<>();
        for (int sid = 0; sid < 3; sid++) {
            for (int part = 0; part < 2; part++) {
                packets.add(rtp(Vp9Packets.nonFlexible(new Vp9Packets.Fields(pictureId, true, 2, true, sid, false, tl0,
                        part == 0, part == 1, null, 0)), sid == 2 && part == 1));
            }
        }
        offer(packets.get(1));
        offer(packets.get(0));
        offer(packets.get(2));
        offer(packets.get(4));
        offer(packets.get(3));
        offer(packets.get(5));
        assertThat(out).hasSize(4 + 3); // the key picture's SID 0/1 (4 packets) + this picture's 3
        assertThat(out.subList(4, 7)).extracting(Out::sid).containsExactly(0, 0, 1);
        assertThat(out.get(4).seq()).as("the late first packet keeps its place").isEqualTo((out.get(5).seq() + 1) & 0xFFFF);
    }
}
