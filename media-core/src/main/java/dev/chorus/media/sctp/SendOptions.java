package dev.chorus.media.sctp;

/**
 * How one message is sent: ordered or not, and its partial reliability (RFC 3758): at most {@code maxRetransmits}
 * retransmissions, or a lifetime after which it is abandoned. A negative value means "no limit"; at most one of the
 * two limits is set (RFC 8831 section 6.1).
 */
public record SendOptions(boolean ordered, int maxRetransmits, long maxLifetimeMillis) {

    public static final SendOptions RELIABLE_ORDERED = new SendOptions(true, -1, -1);
    public static final SendOptions RELIABLE_UNORDERED = new SendOptions(false, -1, -1);

    public SendOptions {
        if (maxRetransmits >= 0 && maxLifetimeMillis >= 0) {
            throw new IllegalArgumentException("set maxRetransmits or maxLifetimeMillis, not both");
        }
    }

    public boolean reliable() { return maxRetransmits < 0 && maxLifetimeMillis < 0; }
}
