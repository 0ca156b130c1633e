package dev.chorus.media.simulcast;

/**
 * When a forwarded temporal layer may change, the same for VP8 simulcast and VP9 SVC: down to the target at any
 * picture; up to the target at a base-layer picture (TID 0), or up to a picture's own layer at a switching point
 * (VP8 Y bit, VP9 U bit) within the target.
 */
final class TemporalSwitch {
    private TemporalSwitch() { }

    /** The temporal layer to forward from a picture of layer {@code tid} on. */
    static int next(int current, int target, int tid, boolean switchingPoint) {
        if (target < current) return target;
        if (target > current) {
            if (tid == 0) return target;
            if (switchingPoint && tid <= target && tid > current) return tid;
        }
        return current;
    }
}
