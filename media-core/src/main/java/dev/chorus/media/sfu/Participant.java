package dev.chorus.media.sfu;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Handle of one participant in a room, given to signaling by {@link Sfu#join}. Thread-safe: every method only
 * hands a task to the room's worker thread ({@code execute(...)}) and returns; results come back as futures that
 * complete <b>on the worker thread</b> (use the {@code ...Async} variants or your own executor to continue
 * elsewhere, and never block the worker). Failures complete the future exceptionally with {@link SfuException}.
 *
 * <p>Two transports per participant, one per direction (see {@link TransportRole}): the client offers what it
 * publishes ({@link #publish}); the SFU offers what the client receives ({@link ParticipantListener#onSubscriberOffer}
 * / {@link #answerSubscription}). Each side is always the offerer of its own direction, so renegotiations never
 * glare.
 */
public interface Participant {
    /** The participant id given at {@link Sfu#join} (opaque; never an e-mail or phone number). */
    String id();

    /** The room id. */
    String roomId();

    /**
     * The client's publish offer (initial or renegotiation), answered recvonly. Audio sections publish
     * {@link TrackKind#AUDIO}, video sections {@link TrackKind#VIDEO} unless {@code kindsByMid} says
     * {@link TrackKind#SCREEN}. Refused as a whole if a sending section's kind is not granted
     * ({@link SfuException.Code#PUBLISH_NOT_ALLOWED}) or there would be more than {@code maxTracks}
     * ({@link SfuException.Code#TOO_MANY_TRACKS}). Track ids are the sections' mids; sections that stop sending are
     * unpublished. A video section may send up to 4 VP8 simulcast layers by rid (issue 12).
     *
     * @param offerSdp   the client's offer (contains its ICE password: never log it)
     * @param kindsByMid optional kind per mid (to mark screen shares); may be empty
     * @return the answer SDP
     */
    CompletableFuture<String> publish(String offerSdp, Map<String, TrackKind> kindsByMid);

    /** {@link #publish(String, Map)} without screen shares. */
    default CompletableFuture<String> publish(String offerSdp) {
        return publish(offerSdp, Map.of());
    }

    /** {@link #answerSubscription(String, long)}'s version of an answer that names none: the outstanding offer. */
    long CURRENT_OFFER = 0;

    /**
     * The client's answer to the {@link ParticipantListener#onSubscriberOffer} of version {@code offerVersion}.
     * Forwarding of a newly offered track starts once the answer is applied and the subscribe transport is connected;
     * the SFU then asks the publisher for a keyframe.
     *
     * <p>An answer to an offer that is no longer outstanding (the SFU withdrew it and sent a newer one while the
     * answer was on its way, or it was answered already) completes with {@link SubscriberAnswerOutcome#IGNORED_STALE}
     * and changes nothing. Fails with {@link SfuException.Code#UNKNOWN_OFFER_VERSION} for a version never sent (the
     * outstanding offer stays), and as before with {@link SfuException.Code#BAD_SDP} or
     * {@link SfuException.Code#NEGOTIATION_FAILED} (the offer is withdrawn and offered again if it carried tracks).
     *
     * @param offerVersion the version of the offer answered, or {@link #CURRENT_OFFER} for a client that does not
     *                     send one: it answers whichever offer is outstanding, and fails with
     *                     {@link SfuException.Code#NO_PENDING_OFFER} without one
     */
    CompletableFuture<SubscriberAnswerOutcome> answerSubscription(String answerSdp, long offerVersion);

    /** {@link #answerSubscription(String, long)} of the outstanding offer, whichever it is. */
    default CompletableFuture<Void> answerSubscription(String answerSdp) {
        return answerSubscription(answerSdp, CURRENT_OFFER).thenApply(outcome -> null);
    }

    /**
     * ICE restart of the subscribe connection, asked for by the client (its ICE went disconnected or failed, or its
     * network changed): the next {@link ParticipantListener#onSubscriberOffer} carries fresh ICE credentials, and its
     * answer restarts ICE on the same transport (DTLS, SRTP and subscriptions kept). The publish connection needs
     * nothing: the client's own offer with a new ufrag restarts it ({@link #publish}).
     */
    CompletableFuture<Void> restartSubscriberIce();

    /**
     * Issue 12: how this participant shows a track it receives (adaptive stream): its video element's size in device
     * pixels (0 × 0: unknown), whether it is visible, and the app's preferred quality ({@code null}: no cap). For a
     * simulcast track the SFU never sends a layer bigger than this asks; a hidden element gets no video. Fails with
     * {@link SfuException.Code#UNKNOWN_TRACK} for a track it does not receive.
     */
    CompletableFuture<Void> setTrackView(String publisherId, String trackId, int width, int height, boolean visible,
                                         dev.chorus.media.simulcast.ViewportLayers.Quality preferred);

    /** Mutes or unmutes one of this participant's published tracks; nothing is forwarded while muted. */
    CompletableFuture<Void> setMuted(String trackId, boolean muted);

    /**
     * Replaces the participant's rights. Applied on the worker before its next drain: forwarding that is no longer
     * allowed stops at once, tracks of kinds no longer granted are unpublished, subscriptions no longer allowed are
     * removed (and renegotiated), and subscriptions newly allowed are offered. Listeners are told.
     */
    CompletableFuture<Void> updateRights(MediaRights rights);

    /**
     * Replaces the participant's data-message rights ({@code data:publish}, {@code data:subscribe}, from whom it
     * receives). Until the first call a participant has none: signaling calls this right after {@link Sfu#join}
     * and after every rights change. Applied on the worker: the next message is judged by them, and queued messages
     * it may no longer receive are dropped at once.
     */
    CompletableFuture<Void> updateDataRights(dev.chorus.media.datarelay.DataRights rights);

    /** A snapshot of the participant's counters, taken on the worker. */
    CompletableFuture<ParticipantStats> stats();

    /**
     * Leaves the room: unpublishes its tracks (others are told), removes its subscriptions, closes both transports.
     * Idempotent. {@link ParticipantListener#onClosed} follows with {@code reason}.
     */
    CompletableFuture<Void> close(String reason);
}
