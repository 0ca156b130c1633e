package dev.chorus.media.speaker;

import java.util.Map;

/**
 * Decides a room's active (dominant) speaker from the participants' smoothed audio levels. A participant becomes the
 * active speaker when it is above {@link #SPEECH_LEVEL} and louder than the current one by {@link #MARGIN} (or the
 * current one fell silent), and the speaker changes at most once per {@code minIntervalNanos} (300 ms in the SFU),
 * so two people talking over each other do not make the active speaker flap. When everyone is silent the last
 * speaker stays (what video layouts want); it is cleared only when that participant leaves ({@link #forget}).
 *
 * <p>Sans-IO: fed levels and the time by the room's worker thread.
 */
public final class ActiveSpeakerDetector {
    /** A level below this is not speech (breathing, keyboard, far-away talk). */
    public static final double SPEECH_LEVEL = 0.25;
    static final double MARGIN = 0.1;

    private final long minIntervalNanos;
    private String current;
    private long changedAt;
    private boolean changedOnce;

    public ActiveSpeakerDetector(long minIntervalNanos) {
        this.minIntervalNanos = minIntervalNanos;
    }

    /** The current active speaker, or null before anyone spoke. */
    public String current() {
        return current;
    }

    /**
     * Feeds the participants' levels at {@code nowNanos}; returns the new active speaker when it changed, else null.
     */
    public String update(Map<String, Double> levels, long nowNanos) {
        if (changedOnce && nowNanos - changedAt < minIntervalNanos) return null;
        String loudest = null;
        double loudestLevel = SPEECH_LEVEL;
        for (Map.Entry<String, Double> e : levels.entrySet()) {
            if (e.getValue() >= loudestLevel && (loudest == null || e.getValue() > loudestLevel)) {
                loudest = e.getKey();
                loudestLevel = e.getValue();
            }
        }
        if (loudest == null || loudest.equals(current)) return null;
        double currentLevel = current == null ? 0 : levels.getOrDefault(current, 0.0);
        if (currentLevel >= SPEECH_LEVEL && loudestLevel < currentLevel + MARGIN) return null;
        current = loudest;
        changedAt = nowNanos;
        changedOnce = true;
        return current;
    }

    /** A participant left: if it was the active speaker, there is none until someone speaks. */
    public boolean forget(String participantId) {
        if (participantId.equals(current)) {
            current = null;
            return true;
        }
        return false;
    }
}
