package dev.chorus.media.simulcast;

/**
 * When a forwarded temporal layer may change, the same for VP8 simulcast and VP9 SVC: down to the target at any
 * picture; up to the target at a key picture (it refreshes every reference); else up to a picture's own layer at a
 * switching point within the target (VP8 Y bit: the picture refers only to TL0; VP9 U bit). Not at any TL0 picture:
 * a TL1 picture after it may still refer to an earlier TL1 picture that was not forwarded (libwebrtc's L1T3 pattern
 * 0-2-1-2 refers its second TL1 picture of each eight to the first, and only the first is a layer sync), and the
 * subscriber's decoder would then wait for a picture that never comes (Chromium's VP8 reference finder stashes it) or
 * decode from a stale reference.
 */
final class TemporalSwitch {
    private TemporalSwitch() { }

    /** The temporal layer to forward from a picture of layer {@code tid} on. */
    static int next(int current, int target, int tid, boolean switchingPoint, boolean keyPicture) {
        if (target < current || keyPicture) return target;
        if (target > current && switchingPoint && tid <= target && tid > current) return tid;
        return current;
    }
}
