package dev.chorus.media.sfu;

/** Why a track stopped being visible to a participant ({@link ParticipantListener#onTrackUnpublished}). */
public enum UnpublishReason {
    /** The publisher renegotiated without it (removed the track). */
    UNPUBLISHED,
    /** The publisher lost the right to publish its kind ({@link Participant#updateRights}). */
    PUBLISH_RIGHTS_REVOKED,
    /** The receiving participant may no longer receive it (its subscribe right or policy changed). */
    SUBSCRIBE_RIGHTS_REVOKED,
    /** The publisher's publish transport closed (e.g. ICE consent expired). */
    TRANSPORT_CLOSED,
    /** The publisher left or was removed. */
    PUBLISHER_LEFT,
    /** The room closed. */
    ROOM_CLOSED
}
