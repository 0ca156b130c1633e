package dev.chorus.media.datarelay;

/** What happened to a message a participant sent (one per message) or to one copy of it (per receiver). */
public enum RelayOutcome {
    /** Accepted and queued for at least zero receivers (a message nobody may receive is still "relayed"). */
    RELAYED,
    /** The sender lacks {@code data:publish} (audited once per grant). */
    REFUSED_NO_RIGHT,
    /** The sender is over its message rate. */
    REFUSED_RATE,
    /** The sender is over its byte budget. */
    REFUSED_BYTES,
    /** Larger than the max message size. */
    REFUSED_TOO_LARGE,
    /** Empty, too long or with control characters; or a destination list too long. */
    REFUSED_BAD_TOPIC,
    /** Not a well-formed relay frame (bad version, lengths or UTF-8: {@link DataFrame}); counted by the transport. */
    REFUSED_MALFORMED,
    /** Sender unknown to the relay (left, or never joined). */
    REFUSED_UNKNOWN_SENDER,
    /** Per receiver: queued for delivery. */
    QUEUED,
    /** Per receiver: a lossy copy dropped because the receiver's queue was full. */
    DROPPED_QUEUE_FULL,
    /** Per receiver: a reliable copy that did not fit; the receiver's reliable delivery is cut (see ReceiverQueue). */
    DROPPED_RECEIVER_OVERFLOW,
    /** Per receiver: taken from the queue but not deliverable (no open channel, larger than the receiver accepts). */
    DROPPED_UNDELIVERABLE
}
