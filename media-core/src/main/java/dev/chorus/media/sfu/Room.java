package dev.chorus.media.sfu;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Handle of a room (one call). A room lives on one worker thread, which owns all its media state; it is created by
 * the first {@link Sfu#join} and closes when it has been empty for {@link SfuConfig#emptyRoomGraceMillis} or on
 * {@link #close}. Thread-safe: methods hand a task to the room's worker; futures complete on the worker thread.
 */
public interface Room {
    String id();

    /** Ids of the participants in the room now. */
    CompletableFuture<List<String>> participantIds();

    /** Tracks published in the room now. */
    CompletableFuture<List<TrackInfo>> tracks();

    /**
     * Who receives whom now: participants, their tracks, each track's receivers with layer, rate, loss and round trip.
     * Built on the room's worker and handed over as an immutable value.
     */
    CompletableFuture<RoomSnapshot> snapshot();

    /**
     * Closes the room: every participant is closed with {@code reason} (listeners get
     * {@link ParticipantListener#onClosed}), transports close, later joins create a new room. Idempotent.
     */
    CompletableFuture<Void> close(String reason);

    /** True once closed. */
    boolean isClosed();
}
