package dev.chorus.media.simulcast;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Shares one subscriber's bandwidth estimate among the tracks it receives: audio first (it is never paused), then
 * screen shares, then camera video by priority (higher first, ties in subscription order). Every wanted video
 * first gets its lowest layer while the budget lasts — a video whose lowest layer does not fit is paused for
 * bandwidth (the subscriber is told; hysteresis: {@link #KEEP_LOWEST}, {@link #UP_HEADROOM}); a lowest layer that fits
 * only at a reduced frame rate is granted with fewer temporal layers (TL0, or TL0+TL1: Chromium sends each VP8
 * simulcast layer as L1T3) instead of overrunning the link or pausing; then, in the same order, each video is raised as far as its wanted layer and
 * the remaining budget allow. Raising a track above the layer it already has needs {@value #UP_HEADROOM}× the extra
 * rate, so a subscriber near a boundary does not flap between layers. The first video paused for bandwidth, else
 * the first video below what it wants, names the rate worth probing for. Pure function of its input; allocates per call (runs on estimate or demand changes,
 * not per packet).
 */
public final class BandwidthAllocator {
    /** An up-switch needs this much more than the layer's rate (hysteresis). */
    public static final double UP_HEADROOM = 1.1;
    /**
     * A video that is receiving keeps its lowest layer until the budget falls below this fraction of that layer's
     * rate (the estimate is conservative, and a paused video is worse than a slightly late one); a paused one resumes
     * only at {@link #UP_HEADROOM} × the rate. The gap keeps a subscriber near the boundary from flapping between
     * paused and playing.
     */
    public static final double KEEP_LOWEST = 0.7;

    public enum Kind { AUDIO, SCREEN, CAMERA }

    /** A grant's temporal layer when every temporal layer of the granted spatial layer is sent. */
    public static final int ALL_TEMPORAL = Integer.MAX_VALUE;

    /**
     * One track as the allocator sees it.
     *
     * @param id caller's key
     * @param priority higher first among cameras
     * @param layerBps rate of each spatial layer, lowest first (audio: one entry)
     * @param wantedLayer highest layer the subscriber wants (element size, visibility, preferred quality);
     *     {@link LayerSelector#NONE} = not wanted (hidden)
     * @param currentLayer layer it receives now ({@link LayerSelector#NONE} if none)
     * @param holdLowest a playing video the caller keeps on its lowest layer even when that does not fit (the
     *     estimate has been under it for less than the caller's hold time): it is granted the lowest layer, its deficit
     *     names the probe target, and nothing above is granted
     * @param lowestTemporalBps the lowest spatial layer's rate with temporal layers 0..k ({@code [k]}, cumulative:
     *     TL0, TL0+TL1, ...; the last entry is the whole layer, {@code layerBps[0]} stands for it); fewer than two
     *     entries: the layer has no temporal layers (or their rates are unknown) and is sent whole or not at all
     * @param currentTemporal the highest temporal layer of the lowest spatial layer granted now ({@link #ALL_TEMPORAL}:
     *     all; meaningless above the lowest spatial layer)
     */
    public record Track(String id, Kind kind, int priority, long[] layerBps, int wantedLayer, int currentLayer,
                        boolean holdLowest, long[] lowestTemporalBps, int currentTemporal) {
        public Track {
            if (layerBps.length == 0) throw new IllegalArgumentException("a track needs at least one layer rate");
        }

        public Track(String id, Kind kind, int priority, long[] layerBps, int wantedLayer, int currentLayer,
                     boolean holdLowest) {
            this(id, kind, priority, layerBps, wantedLayer, currentLayer, holdLowest, NO_TEMPORAL, ALL_TEMPORAL);
        }

        public Track(String id, Kind kind, int priority, long[] layerBps, int wantedLayer, int currentLayer) {
            this(id, kind, priority, layerBps, wantedLayer, currentLayer, false);
        }

        /**
         * The lowest layer's steps by frame rate, cheapest first, the last the whole layer at {@code layerBps[0]}
         * (earlier steps capped by it).
         */
        long[] lowestSteps() {
            long low = layerBps[0];
            if (lowestTemporalBps.length < 2) return new long[] {low};
            long[] steps = new long[lowestTemporalBps.length];
            for (int k = 0; k < steps.length - 1; k++) steps[k] = Math.min(lowestTemporalBps[k], low);
            steps[steps.length - 1] = low;
            return steps;
        }
    }

    private static final long[] NO_TEMPORAL = new long[0];

    /**
     * What a track gets: a layer, or {@link LayerSelector#NONE} with the reason. {@code short}: a video whose lowest
     * layer did not fit (paused, or granted it anyway because the estimate is unmeasured or the caller holds it).
     * {@code temporal}: the highest temporal layer to send of the granted layer ({@link #ALL_TEMPORAL}: all); below
     * all only on the lowest spatial layer, when the estimate covers it at a reduced frame rate but not whole.
     */
    public record Grant(Track track, int layer, boolean pausedForBandwidth, boolean lowestShort, int temporal) {
        public Grant(Track track, int layer, boolean pausedForBandwidth, boolean lowestShort) {
            this(track, layer, pausedForBandwidth, lowestShort, ALL_TEMPORAL);
        }

        public Grant(Track track, int layer, boolean pausedForBandwidth) {
            this(track, layer, pausedForBandwidth, pausedForBandwidth);
        }
    }

    /**
     * @param grants one per input track, in input order
     * @param usedBps what the grants add up to
     * @param probeTargetBps the estimate that would let the first short-changed video go up one layer, or 0
     */
    public record Allocation(List<Grant> grants, long usedBps, long probeTargetBps) {
        public Grant of(String id) {
            return grants.stream().filter(g -> g.track().id().equals(id)).findFirst().orElseThrow();
        }
    }

    /** {@link #allocate(long, List, boolean)} on an estimate that may pause videos (a measured one). */
    public Allocation allocate(long estimateBps, List<Track> tracks) {
        return allocate(estimateBps, tracks, true);
    }

    /**
     * Shares {@code estimateBps} among {@code tracks}. {@code mayPause} false: the estimate has not been measured yet
     * (the path has shown no limit: it is a start value, not a capacity), so no video is paused for bandwidth: every
     * wanted video gets at least its lowest layer, even past the estimate, and only the layers above wait for a
     * measured (or probed) estimate. A late joiner thus sees every camera at once instead of one paused until its
     * estimate has grown.
     */
    public Allocation allocate(long estimateBps, List<Track> tracks, boolean mayPause) {
        int n = tracks.size();
        int[] layer = new int[n];
        int[] temporal = new int[n];
        long[] charged = new long[n];
        boolean[] paused = new boolean[n];
        boolean[] shortOfLowest = new boolean[n];
        java.util.Arrays.fill(layer, LayerSelector.NONE);
        java.util.Arrays.fill(temporal, ALL_TEMPORAL);
        long budget = estimateBps;
        long used = 0;
        for (int i = 0; i < n; i++) {
            Track t = tracks.get(i);
            if (t.kind() == Kind.AUDIO && t.wantedLayer() != LayerSelector.NONE) {
                layer[i] = 0;
                budget -= t.layerBps()[0];
                used += t.layerBps()[0];
            }
        }
        List<Integer> videos = new ArrayList<>();
        for (int i = 0; i < n; i++) if (tracks.get(i).kind() != Kind.AUDIO) videos.add(i);
        videos.sort(Comparator.<Integer>comparingInt(i -> tracks.get(i).kind() == Kind.SCREEN ? 0 : 1)
                .thenComparing(Comparator.<Integer>comparingInt(i -> tracks.get(i).priority()).reversed()));
        for (int i : videos) {
            Track t = tracks.get(i);
            if (t.wantedLayer() == LayerSelector.NONE) continue;
            long[] steps = t.lowestSteps();
            int step = lowestStep(t, steps, budget);
            shortOfLowest[i] = step < 0;
            if (!mayPause) step = steps.length - 1; // a start value is no reason to lower the frame rate either
            if (step >= 0 || !mayPause || t.holdLowest()) {
                // Held: its base (the least it can send while the caller waits for the estimate or a probe).
                if (step < 0) step = 0;
                layer[i] = 0;
                temporal[i] = step == steps.length - 1 ? ALL_TEMPORAL : step;
                charged[i] = steps[step];
                budget -= steps[step];
                used += steps[step];
            } else {
                paused[i] = true;
            }
        }
        long probeTarget = 0;
        for (int i : videos) {
            if (shortOfLowest[i] && mayPause) { // the first video paused (or held) for bandwidth: what would keep it
                long base = tracks.get(i).lowestSteps()[0];
                probeTarget = estimateBps + (long) (base * UP_HEADROOM) - budget - charged[i];
                break;
            }
        }
        for (int i : videos) {
            if (layer[i] == LayerSelector.NONE || shortOfLowest[i] && mayPause) continue; // held: nothing above
            Track t = tracks.get(i);
            if (temporal[i] != ALL_TEMPORAL) { // the lowest layer at a reduced frame rate: its next step is the want
                if (probeTarget == 0) {
                    long[] steps = t.lowestSteps();
                    long extra = steps[temporal[i] + 1] - steps[temporal[i]];
                    probeTarget = estimateBps + (long) (extra * UP_HEADROOM) - budget;
                }
                continue;
            }
            int top = Math.min(t.wantedLayer(), t.layerBps().length - 1);
            while (layer[i] < top) {
                int next = layer[i] + 1;
                long extra = t.layerBps()[next] - t.layerBps()[layer[i]];
                double need = next <= t.currentLayer() ? extra : extra * UP_HEADROOM;
                if (need > budget) break;
                layer[i] = next;
                budget -= extra;
                used += extra;
            }
            if (layer[i] < top && probeTarget == 0) {
                long extra = t.layerBps()[layer[i] + 1] - t.layerBps()[layer[i]];
                probeTarget = estimateBps + (long) (extra * UP_HEADROOM) - budget; // budget < 0: lowest layers past an unmeasured estimate
            }
        }
        List<Grant> grants = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            grants.add(new Grant(tracks.get(i), layer[i], paused[i], shortOfLowest[i], temporal[i]));
        }
        return new Allocation(List.copyOf(grants), used, probeTarget);
    }

    /**
     * The step of the lowest layer ({@link Track#lowestSteps}) that {@code budget} covers, or -1: staying at or going
     * down to a step needs its rate, going above the current step {@value #UP_HEADROOM} × it (no flapping between
     * frame rates); a playing video keeps its cheapest step until the budget is below {@value #KEEP_LOWEST} × that.
     * A video above the lowest layer counts as on its whole lowest layer (a down-switch lands there when it fits).
     */
    private static int lowestStep(Track t, long[] steps, long budget) {
        boolean playing = t.currentLayer() != LayerSelector.NONE;
        int current = !playing ? -1
                : t.currentLayer() > 0 || t.currentTemporal() >= steps.length - 1 ? steps.length - 1 : t.currentTemporal();
        for (int k = steps.length - 1; k >= 0; k--) {
            double need = k <= current ? steps[k] : steps[k] * UP_HEADROOM;
            if (need <= budget) return k;
        }
        return playing && steps[0] * KEEP_LOWEST <= budget ? 0 : -1;
    }
}
