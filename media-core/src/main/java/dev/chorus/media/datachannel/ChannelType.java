package dev.chorus.media.datachannel;

import dev.chorus.media.sctp.SendOptions;

/**
 * DATA_CHANNEL_OPEN channel types (RFC 8832 section 5.1): reliability kind in the low bits, 0x80 for unordered; the
 * reliability parameter is the retransmission count or the lifetime in milliseconds.
 */
public enum ChannelType {
    RELIABLE(0x00),
    RELIABLE_UNORDERED(0x80),
    PARTIAL_RELIABLE_REXMIT(0x01),
    PARTIAL_RELIABLE_REXMIT_UNORDERED(0x81),
    PARTIAL_RELIABLE_TIMED(0x02),
    PARTIAL_RELIABLE_TIMED_UNORDERED(0x82);

    public final int code;

    ChannelType(int code) { this.code = code; }

    public static ChannelType of(int code) {
        for (ChannelType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }

    public boolean ordered() { return (code & 0x80) == 0; }

    /** SCTP send options of a channel of this type with the given reliability parameter. */
    public SendOptions sendOptions(long reliabilityParameter) {
        return switch (code & 0x7F) {
            case 0x01 -> new SendOptions(ordered(), (int) Math.min(Integer.MAX_VALUE, reliabilityParameter), -1);
            case 0x02 -> new SendOptions(ordered(), -1, reliabilityParameter);
            default -> ordered() ? SendOptions.RELIABLE_ORDERED : SendOptions.RELIABLE_UNORDERED;
        };
    }

    /** The type that matches a W3C {@code RTCDataChannelInit}: ordered, and maxRetransmits or maxPacketLifeTime. */
    public static ChannelType of(boolean ordered, Integer maxRetransmits, Integer maxPacketLifeTime) {
        int kind = maxRetransmits != null ? 0x01 : maxPacketLifeTime != null ? 0x02 : 0x00;
        return of(kind | (ordered ? 0 : 0x80));
    }
}
