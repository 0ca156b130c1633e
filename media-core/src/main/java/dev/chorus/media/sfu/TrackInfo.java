package dev.chorus.media.sfu;

import java.util.Objects;

/**
 * A published track as the rest of the system sees it. Immutable; a new instance is reported when it changes
 * (e.g. muted).
 *
 * @param participantId the publisher
 * @param trackId       stable within the publisher: the {@code a=mid} of its section in the publisher's offer
 * @param kind          audio, video or screen
 * @param muted         the publisher muted it ({@link Participant#setMuted}); nothing is forwarded while muted
 */
public record TrackInfo(String participantId, String trackId, TrackKind kind, boolean muted) {
    public TrackInfo {
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(kind, "kind");
    }

    TrackInfo withMuted(boolean m) {
        return m == muted ? this : new TrackInfo(participantId, trackId, kind, m);
    }
}
