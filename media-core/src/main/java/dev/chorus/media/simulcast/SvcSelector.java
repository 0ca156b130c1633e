package dev.chorus.media.simulcast;

import dev.chorus.media.rtp.RtpPacket;

/**
 * One subscriber's choice among the spatial and temporal layers of one VP9 SVC stream (one SSRC, layers told apart
 * by the payload descriptor: {@link Vp9Descriptor}), and the rewriting that keeps what is forwarded one valid
 * stream for the subscriber's decoder.
 *
 * <ul>
 *   <li>Only layer frames with SID ≤ the current spatial layer and pictures with TID ≤ the current temporal layer
 *       are forwarded.
 *   <li>Spatial up (and the start) waits for a key picture (P = 0 at SID 0: {@link #keyframeNeeded()} asks for one),
 *       which is what K-SVC needs (Chromium's {@code L3T3_KEY}: an upper layer refers to a lower one only in key
 *       pictures); spatial down takes effect at the next picture.
 *   <li>Temporal down at any picture; up at a key picture or a switching-up point (U bit) of a layer within the
 *       target ({@link TemporalSwitch}).
 *   <li>The marker bit (end of picture) is set on the last packet of the highest forwarded spatial layer of each
 *       picture (E bit at SID = the current layer), since the picture's own marker came with a dropped layer.
 *   <li>Sequence numbers close the gaps of dropped packets, and picture ids those of dropped pictures; timestamps
 *       are the publisher's (one stream, one clock).
 * </ul>
 *
 * Out-of-order packets are forwarded with the current offsets if their layers are forwarded, unless a dropped
 * packet lies between them and the newest (their place in the output would be ambiguous). Sans-IO, single thread,
 * no allocation.
 */
public final class SvcSelector {
    /** No layer: paused. */
    public static final int NONE = -1;

    private int targetSpatial = NONE;
    private int targetTemporal = Integer.MAX_VALUE;
    private int currentSpatial = NONE;
    private int currentTemporal = Integer.MAX_VALUE;

    private boolean started;
    private int highestInSeq;
    private int seqOffset;
    private int pictureIdOffset;
    private int pictureId = -2;
    private long pictureTs = -1;
    private boolean forwardingPicture;
    private boolean droppedSinceStart;
    private int lastDroppedSeq;

    private long spatialSwitches;
    private long temporalSwitches;
    private long droppedPackets;

    /**
     * Sets the layers to aim for ({@link #NONE} pauses at once). Temporal {@code Integer.MAX_VALUE} = all temporal
     * layers. A spatial change up waits for a key picture; down happens at the next picture.
     */
    public void setTarget(int spatial, int temporal) {
        targetSpatial = spatial;
        targetTemporal = temporal;
        if (spatial == NONE) currentSpatial = NONE;
    }

    public int targetSpatial() { return targetSpatial; }
    public int targetTemporal() { return targetTemporal; }
    /** The highest spatial layer forwarded, or {@link #NONE}. */
    public int currentSpatial() { return currentSpatial; }
    /** The highest temporal layer forwarded. */
    public int currentTemporal() { return currentTemporal; }
    /** A key picture is needed to reach the target (ask the publisher, rate-limited). */
    public boolean keyframeNeeded() { return targetSpatial != NONE && targetSpatial > currentSpatial; }
    public long spatialSwitches() { return spatialSwitches; }
    public long temporalSwitches() { return temporalSwitches; }
    public long droppedPackets() { return droppedPackets; }

    /**
     * Decides about one packet whose descriptor {@code vp9} was parsed from it. True: forward it, rewritten in place
     * (sequence number, picture id, marker); false: drop it.
     */
    public boolean accept(RtpPacket rtp, Vp9Descriptor vp9) {
        int seq = rtp.sequenceNumber();
        int sid = vp9.spatialId() == PayloadDescriptor.ABSENT ? 0 : vp9.spatialId();
        int tid = vp9.temporalId() == PayloadDescriptor.ABSENT ? 0 : vp9.temporalId();
        if (!started) {
            // Nothing before the first key picture: the decoder could not use it.
            if (targetSpatial == NONE || !vp9.keyframe()) {
                droppedPackets++;
                return false;
            }
            started = true;
            highestInSeq = (seq - 1) & 0xFFFF;
        }
        int ahead = (short) (seq - highestInSeq);
        if (ahead > 0) {
            highestInSeq = seq;
            if (newPicture(rtp, vp9)) {
                adaptSpatial(vp9.keyframe());
                adaptTemporal(tid, vp9.layerSync(), vp9.keyframe());
                forwardingPicture = currentSpatial != NONE && tid <= currentTemporal;
                if (!forwardingPicture && vp9.pictureId() != PayloadDescriptor.ABSENT) pictureIdOffset--;
            }
            if (!forwardingPicture || sid > currentSpatial) {
                seqOffset--;
                droppedSinceStart = true;
                lastDroppedSeq = seq;
                droppedPackets++;
                return false;
            }
        } else {
            boolean behindDrop = droppedSinceStart && (short) (seq - lastDroppedSeq) < 0;
            if (currentSpatial == NONE || sid > currentSpatial || tid > currentTemporal || behindDrop) {
                droppedPackets++;
                return false;
            }
        }
        rtp.setSequenceNumber((seq + seqOffset) & 0xFFFF);
        int pid = vp9.pictureId();
        if (pid != PayloadDescriptor.ABSENT) vp9.setPictureId(Math.floorMod(pid + pictureIdOffset, vp9.pictureIdModulus()));
        if (vp9.endOfFrame() && sid == currentSpatial) rtp.setMarker(true);
        return true;
    }

    private boolean newPicture(RtpPacket rtp, Vp9Descriptor vp9) {
        int pid = vp9.pictureId();
        long ts = rtp.timestamp();
        boolean fresh = pid != PayloadDescriptor.ABSENT ? pid != pictureId : ts != pictureTs;
        pictureId = pid;
        pictureTs = ts;
        return fresh;
    }

    private void adaptSpatial(boolean keyPicture) {
        int before = currentSpatial;
        if (targetSpatial == NONE) {
            currentSpatial = NONE;
        } else if (targetSpatial < currentSpatial) {
            currentSpatial = targetSpatial;
        } else if (targetSpatial > currentSpatial && keyPicture) {
            currentSpatial = targetSpatial;
        }
        if (before != currentSpatial && before != NONE) spatialSwitches++;
    }

    private void adaptTemporal(int tid, boolean switchingUp, boolean keyPicture) {
        int before = currentTemporal;
        currentTemporal = TemporalSwitch.next(currentTemporal, targetTemporal, tid, switchingUp, keyPicture);
        if (before != currentTemporal) temporalSwitches++;
    }
}
