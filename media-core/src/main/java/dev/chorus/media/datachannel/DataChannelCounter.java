package dev.chorus.media.datachannel;

/** Drops and events of the data channel layer (the SCTP layer counts its own). */
public enum DataChannelCounter {
    CHANNELS_OPENED,
    CHANNELS_CLOSED,
    /** A DCEP message that does not parse. */
    MALFORMED_DCEP,
    /** DATA_CHANNEL_OPEN on a stream in use, or with the opener's wrong parity (RFC 8832 section 6). */
    OPEN_REFUSED,
    /** A user message on a stream with no channel. */
    MESSAGE_NO_CHANNEL,
    /** A PPID that is not one of RFC 8831's (including the deprecated partial ones). */
    MESSAGE_BAD_PPID
}
