package dev.chorus.media.speaker;

/**
 * One audio track's loudness from the RFC 6464 audio-level header extension the publisher puts on every packet
 * (0 = 0 dBov, loudest; 127 = -127 dBov, silence), smoothed so single packets and the gaps between words do not
 * flicker: a fast attack (a word is heard at once) and an exponential release (time constant {@link #RELEASE_NANOS}).
 * Levels are mapped to 0…1, with everything at or below {@link #FLOOR_DBOV} (background noise) as 0.
 *
 * <p>Sans-IO and allocation-free: fed the extension byte and the time on the media worker thread, read there too.
 */
public final class AudioLevelMeter {
    /** Quieter than -70 dBov is treated as silence (comfort noise, a muted but sending microphone). */
    public static final int FLOOR_DBOV = 70;
    static final long RELEASE_NANOS = 250_000_000L;
    private static final double ATTACK = 0.6;

    private double smoothed;
    private long lastNanos;
    private boolean any;

    /** A packet's level: {@code dBov} is the extension's 7-bit level (0…127; larger values are clamped). */
    public void record(int dBov, long nowNanos) {
        double level = linear(dBov);
        double current = level(nowNanos);
        // quieter packets do not pull the level down by themselves: it falls with the release time constant only
        smoothed = level > current ? current + ATTACK * (level - current) : current;
        lastNanos = nowNanos;
        any = true;
    }

    /** The smoothed level 0…1 at {@code nowNanos}: decays towards 0 when packets stop (muted, DTX, gone). */
    public double level(long nowNanos) {
        if (!any) return 0;
        long idle = nowNanos - lastNanos;
        if (idle <= 0) return smoothed;
        return smoothed * Math.exp(-(double) idle / RELEASE_NANOS);
    }

    /** 0 dBov → 1, {@link #FLOOR_DBOV} and quieter → 0, linear in dB between. */
    static double linear(int dBov) {
        int d = Math.clamp(dBov, 0, 127);
        return d >= FLOOR_DBOV ? 0 : (FLOOR_DBOV - d) / (double) FLOOR_DBOV;
    }
}
