package dev.chorus.media.rtp;

/** Result of validating an RTCP compound packet; anything but {@link #OK} means drop and count. */
public enum RtcpStatus {
    OK,
    /** Fewer than 4 bytes, or a packet header cut off. */
    TOO_SHORT,
    /** A packet's version is not 2. */
    BAD_VERSION,
    /** A packet type outside 192–223 (RFC 5761): not RTCP. */
    NOT_RTCP,
    /** A packet's length field runs past the end of the datagram. */
    LENGTH_PAST_END,
    /** A packet is too short for its type and count (SR/RR blocks, BYE sources, FB FCI, SDES chunks). */
    BAD_PACKET_LENGTH,
    /** Padding on a packet that is not the last, or padding count 0 or larger than the packet body. */
    BAD_PADDING,
    /** More packets in the compound than the view holds. */
    TOO_MANY_PACKETS
}
