package dev.chorus.media.sfu;

import dev.chorus.media.transport.CloseReason;
import java.util.List;
import java.util.Map;

/**
 * Events of one participant, for signaling to turn into protocol messages.
 *
 * <p><b>Thread:</b> every callback runs on the worker thread of the participant's room, in order. A callback must
 * return quickly and must not block (no I/O, no locks held for long, never {@code join()} a future of this SFU):
 * hand the event to the signaling thread (e.g. the WebSocket's event loop) and return. Never call into room state
 * from here other than through {@link Participant} methods, which are asynchronous.
 *
 * <p>Track events cover the tracks this participant can see: its own, and other participants' tracks that its
 * {@link MediaRights} allow it to receive. A track it may not receive is never announced to it (SECURITY-CHECKLIST
 * 22); one that becomes invisible is reported as unpublished.
 */
public interface ParticipantListener {
    /** A track became visible: published by this participant (confirmation) or by another one it may receive. */
    default void onTrackPublished(TrackInfo track) { }

    /** A visible track changed (muted/unmuted). */
    default void onTrackUpdated(TrackInfo track) { }

    /** A track is gone or no longer visible to this participant. */
    default void onTrackUnpublished(TrackInfo track, UnpublishReason reason) { }

    /**
     * The SFU offers a new subscribe description (tracks came or went). Send it to the client with its version; pass
     * its answer and the version it names to {@link Participant#answerSubscription(String, long)}. Only one offer is
     * outstanding at a time: later changes wait for the answer and then produce the next offer.
     *
     * @param sdp     the offer (contains the ICE password: never log it)
     * @param tracks  which published track each sending section carries (by mid); sections not listed are inactive
     * @param version this participant's offer version: 1 for its first offer, one more for each next one (also the
     *                SDP's {@code o=} session version)
     */
    default void onSubscriberOffer(String sdp, List<SubscribedTrack> tracks, long version) { }

    /**
     * Audio levels (0…1, smoothed from the publishers' RFC 6464 header extension) of this participant and of the
     * participants whose audio it may receive; every 300 ms while any of them
     * is above silence, plus one all-silent report when they stop. Keys are participant ids.
     */
    default void onAudioLevels(Map<String, Double> levels) { }

    /**
     * The room's active speaker changed (at most every 300 ms); told to the
     * speaker and to the participants that may receive its audio.
     */
    default void onActiveSpeaker(String participantId) { }

    /** ICE and DTLS of one transport completed; media can flow. */
    default void onTransportConnected(TransportRole role) { }

    /**
     * A transport closed (e.g. {@link CloseReason#CONSENT_EXPIRED} after 30 s without consent checks,
     * {@link CloseReason#DTLS_FAILED}). Tracks published over it are unpublished. The participant stays in the
     * room: signaling decides whether to close it; a later {@link Participant#publish} opens a new publish transport.
     */
    default void onTransportClosed(TransportRole role, CloseReason reason) { }

    /**
     * A transport's DTLS handshake failed, with the precise reason (fingerprint mismatch, no common SRTP profile, a
     * peer alert, timeout, ...); the {@link CloseReason#DTLS_FAILED} close follows. For the operator's log.
     */
    default void onDtlsFailed(TransportRole role, dev.chorus.media.dtls.DtlsFailure reason) { }

    /**
     * A burst of SRTP/SRTCP packets on one of the participant's transports failed authentication ({@code inWindow}
     * within {@code windowSeconds}; {@code total} since it connected): wrong keys or packets injected on its
     * address. Called at most once a minute per transport ({@link dev.chorus.media.srtp.SrtpAuthFailureAlarm}), on
     * the room's worker. For the operator's log.
     */
    default void onSrtpAuthFailures(TransportRole role, int inWindow, long windowSeconds, long total) { }

    /**
     * The participant sent a data message without {@code data:publish}: refused. Called once per grant (again only
     * after a rights change), on the room's worker. For the audit log.
     */
    default void onDataPublishRefused() { }

    /** The participant left the room (closed by signaling, by the room closing or by the SFU stopping); last event. */
    default void onClosed(String reason) { }

    /** Ignores everything. */
    ParticipantListener NONE = new ParticipantListener() { };

    /**
     * Dynacast (issue 12): which simulcast layers (by rid) of this participant's published track {@code trackId}
     * anyone receives. The client should stop encoding the others ({@code RTCRtpSender.setParameters} with
     * {@code active: false}) and resume those marked true. Sent when the set changes.
     */
    default void onPublishLayers(String trackId, Map<String, Boolean> activeByRid) { }

    /** {@link #onTrackPaused} reason: the subscriber's estimated bandwidth does not fit even the lowest layer. */
    String PAUSE_REASON_BANDWIDTH = "bandwidth";

    /**
     * Bandwidth estimation (issue 12): the SFU stopped forwarding the video {@code track} to this participant
     * ({@code paused}), or resumed it, for {@code reason} (e.g. {@link #PAUSE_REASON_BANDWIDTH}). The track stays
     * subscribed; the app may show that the video is paused.
     */
    default void onTrackPaused(TrackInfo track, boolean paused, String reason) { }
}
