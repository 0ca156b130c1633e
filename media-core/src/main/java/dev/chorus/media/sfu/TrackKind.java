package dev.chorus.media.sfu;

/** What a published track carries; each kind is granted separately ({@link MediaRights}). */
public enum TrackKind {
    /** Microphone audio (an {@code m=audio} section). */
    AUDIO,
    /** Camera video (an {@code m=video} section unless the publisher declares it {@link #SCREEN}). */
    VIDEO,
    /** Screen share (an {@code m=video} section the publisher declared as screen in {@link Participant#publish}). */
    SCREEN;

    /** True for the kinds sent in {@code m=video} sections. */
    public boolean isVideo() {
        return this != AUDIO;
    }
}
