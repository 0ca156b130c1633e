package dev.chorus.media.simulcast;

import dev.chorus.media.rtp.RtpPacket;

/**
 * One subscriber's choice among the layers of one simulcast video track, and the rewriting that makes the chosen
 * packets one continuous stream for the subscriber's decoder. The codec-specific half (key frames, picture id,
 * TL0PICIDX, temporal layers) is the track codec's {@link PayloadDescriptor}: VP8, VP9 (one spatial layer per rid)
 * or H.264 (no picture id: pictures are told apart by timestamp, and only sequence numbers and timestamps are
 * rewritten).
 *
 * <ul>
 *   <li>Spatial layers (simulcast encodings) switch only at a key frame of the target layer: until one arrives the
 *       current layer keeps flowing and {@link #keyframeNeeded()} tells the caller to ask the publisher (PLI/FIR).
 *   <li>Temporal layers go down at any picture start and up at a key frame or a layer-sync picture (Y bit) within
 *       the target ({@link TemporalSwitch}); a picture is forwarded or dropped whole. Without a TID (Chromium's VP8
 *       simulcast) a discardable (N bit) picture counts as layer 1 ({@link PayloadDescriptor#effectiveTemporalId}),
 *       and a switch back up may happen at any discardable picture. The bandwidth allocator
 *       lowers the temporal target of the lowest spatial layer when the subscriber's estimate does not cover it
 *       at full frame rate.
 *   <li>Forwarded packets get sequence numbers without holes for dropped pictures, timestamps that continue from
 *       the previous layer by wall-clock time, and picture id / TL0PICIDX that continue across switches.
 * </ul>
 *
 * The output sequence and timestamp are this selector's stream space; the caller (the consumer) maps them on to
 * the subscriber's SSRC. Out-of-order packets are forwarded with the current offsets unless a dropped picture lies
 * between them and the newest packet (their place in the output would be ambiguous). Sans-IO, single thread, no
 * allocation.
 */
public final class LayerSelector {
    /** No layer: the track is paused for this subscriber. */
    public static final int NONE = -1;

    private final int clockRate;
    private int targetSpatial = NONE;
    private int targetTemporal = Integer.MAX_VALUE;
    private int currentSpatial = NONE;
    private int currentTemporal = Integer.MAX_VALUE;

    // Output side: what the subscriber saw last.
    private boolean started;
    private int lastOutSeq;
    private long lastOutTs;
    private long lastOutNanos;
    private int lastOutPictureId = -1;
    private int lastOutTl0 = -1;

    // Input side for the current layer.
    private int seqOffset;
    private long tsOffset;
    private int pictureIdOffset;
    private int tl0Offset;
    private int highestInSeq;
    private boolean droppedSinceSwitch;
    private int lastDroppedSeq;
    private long pictureTs = -1;
    private int picturePictureId = -1;
    private boolean forwardingPicture;

    private long spatialSwitches;
    private long temporalSwitches;
    private long droppedPackets;

    /** @param clockRate RTP clock rate of the track (90000 for video) */
    public LayerSelector(int clockRate) {
        this.clockRate = clockRate;
    }

    /**
     * Sets the layers to aim for ({@link #NONE} pauses). Temporal {@code Integer.MAX_VALUE} = all temporal layers.
     * A spatial change happens at the target's next key frame; a pause takes effect immediately.
     */
    public void setTarget(int spatial, int temporal) {
        targetSpatial = spatial;
        targetTemporal = temporal;
        if (spatial == NONE) currentSpatial = NONE;
    }

    public int targetSpatial() { return targetSpatial; }
    public int targetTemporal() { return targetTemporal; }
    /** The spatial layer being forwarded, or {@link #NONE}. */
    public int currentSpatial() { return currentSpatial; }
    /** The highest temporal layer being forwarded. */
    public int currentTemporal() { return currentTemporal; }
    /** A key frame of the target layer is needed to get there (ask the publisher, rate-limited). */
    public boolean keyframeNeeded() { return targetSpatial != NONE && targetSpatial != currentSpatial; }
    public long spatialSwitches() { return spatialSwitches; }
    public long temporalSwitches() { return temporalSwitches; }
    public long droppedPackets() { return droppedPackets; }

    /**
     * True (and counted as dropped) when {@link #accept} would drop any packet of {@code spatial} now because it is
     * neither the layer being forwarded nor the target: the caller can skip the packet for this subscriber without
     * the rest of its per-subscriber work (with subscribers spread over the layers, that is most of them).
     */
    public boolean ignores(int spatial) {
        if (spatial == currentSpatial || spatial == targetSpatial && targetSpatial != NONE) return false;
        droppedPackets++;
        return true;
    }

    /**
     * Decides about one media packet of spatial layer {@code spatial} whose descriptor {@code payload} was parsed
     * from it. When it returns true the packet has been rewritten in place (sequence number, timestamp, picture id,
     * TL0PICIDX) for this subscriber's stream; false means drop it.
     */
    public boolean accept(int spatial, RtpPacket rtp, PayloadDescriptor payload, long nowNanos) {
        if (targetSpatial == NONE) return drop();
        int seq = rtp.sequenceNumber();
        if (spatial != currentSpatial) {
            if (spatial != targetSpatial || !payload.keyframe()) return drop();
            switchTo(spatial, rtp, payload, nowNanos);
        }
        int tid = payload.effectiveTemporalId();
        int ahead = (short) (seq - highestInSeq);
        if (ahead > 0) {
            highestInSeq = seq;
            if (newPicture(rtp, payload)) {
                // Without a TID the only temporal structure is the discardable (N) picture: nothing refers to it, so
                // forwarding it again may start at any one.
                boolean switchingPoint = payload.temporalId() == PayloadDescriptor.ABSENT ? payload.discardable()
                        : payload.layerSync();
                adaptTemporal(tid, switchingPoint, payload.keyframe());
                forwardingPicture = tid <= currentTemporal;
                if (!forwardingPicture && payload.pictureId() != PayloadDescriptor.ABSENT) pictureIdOffset--;
            }
            if (!forwardingPicture) {
                // In order: later packets move down by one so the subscriber sees no hole.
                seqOffset--;
                droppedSinceSwitch = true;
                lastDroppedSeq = seq;
                return drop();
            }
        } else {
            if (tid > currentTemporal) return drop();
            if (droppedSinceSwitch && (short) (seq - lastDroppedSeq) < 0) return drop();
        }
        rewrite(rtp, payload, seq, nowNanos);
        return true;
    }

    private boolean drop() {
        droppedPackets++;
        return false;
    }

    private boolean newPicture(RtpPacket rtp, PayloadDescriptor payload) {
        int pid = payload.pictureId();
        long ts = rtp.timestamp();
        boolean fresh = pid != PayloadDescriptor.ABSENT ? pid != picturePictureId : ts != pictureTs;
        picturePictureId = pid;
        pictureTs = ts;
        return fresh;
    }

    private void adaptTemporal(int tid, boolean layerSync, boolean keyframe) {
        int before = currentTemporal;
        currentTemporal = TemporalSwitch.next(currentTemporal, targetTemporal, tid, layerSync, keyframe);
        if (before != currentTemporal) temporalSwitches++;
    }

    private void switchTo(int spatial, RtpPacket rtp, PayloadDescriptor payload, long nowNanos) {
        int seq = rtp.sequenceNumber();
        long ts = rtp.timestamp();
        if (started) {
            long elapsed = Math.max(1, (nowNanos - lastOutNanos) / 1_000 * clockRate / 1_000_000);
            seqOffset = (lastOutSeq + 1 - seq) & 0xFFFF;
            tsOffset = (lastOutTs + elapsed - ts) & 0xFFFFFFFFL;
            if (payload.pictureId() != PayloadDescriptor.ABSENT && lastOutPictureId >= 0) {
                pictureIdOffset = lastOutPictureId + 1 - payload.pictureId();
            }
            if (payload.tl0PicIdx() != PayloadDescriptor.ABSENT && lastOutTl0 >= 0) {
                tl0Offset = lastOutTl0 + 1 - payload.tl0PicIdx();
            }
        } else {
            seqOffset = 0;
            tsOffset = 0;
            pictureIdOffset = 0;
            tl0Offset = 0;
        }
        if (currentSpatial != NONE || started) spatialSwitches++;
        currentSpatial = spatial;
        currentTemporal = targetTemporal;
        highestInSeq = (seq - 1) & 0xFFFF;
        droppedSinceSwitch = false;
        picturePictureId = -2;
        pictureTs = -1;
    }

    private void rewrite(RtpPacket rtp, PayloadDescriptor payload, int seq, long nowNanos) {
        int out = (seq + seqOffset) & 0xFFFF;
        long outTs = (rtp.timestamp() + tsOffset) & 0xFFFFFFFFL;
        rtp.setSequenceNumber(out);
        rtp.setTimestamp(outTs);
        int pid = payload.pictureId();
        int outPid = -1;
        if (pid != PayloadDescriptor.ABSENT) {
            outPid = Math.floorMod(pid + pictureIdOffset, payload.pictureIdModulus());
            payload.setPictureId(outPid);
        }
        int tl0 = payload.tl0PicIdx();
        int outTl0 = -1;
        if (tl0 != PayloadDescriptor.ABSENT) {
            outTl0 = (tl0 + tl0Offset) & 0xFF;
            payload.setTl0PicIdx(outTl0);
        }
        if (!started || (short) (out - lastOutSeq) > 0) {
            lastOutSeq = out;
            lastOutTs = outTs;
            lastOutNanos = nowNanos;
            if (outPid >= 0) lastOutPictureId = outPid;
            if (outTl0 >= 0) lastOutTl0 = outTl0;
        }
        started = true;
    }
}
