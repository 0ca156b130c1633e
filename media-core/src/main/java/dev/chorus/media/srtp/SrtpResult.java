package dev.chorus.media.srtp;

/** Outcome of protecting or unprotecting one packet. Anything but {@link #OK} means: drop the packet. */
public enum SrtpResult {
    OK,
    /** Authentication tag did not verify (tampered, wrong key, or garbage). */
    AUTH_FAILED,
    /** Index already seen or older than the replay window. */
    REPLAYED,
    /** Too short or otherwise not a packet the context can process. */
    INVALID,
    /** A new SSRC would exceed the per-transport bound on crypto contexts. */
    TOO_MANY_STREAMS
}
