package dev.chorus.media.sfu;

import dev.chorus.media.sdp.DataChannelSection;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.SessionDescription;
import java.util.OptionalInt;

/**
 * The data channel part of a publish offer, sans-IO. Data channels ride on the participant's <b>publish</b>
 * transport only: the client offers {@code m=application ... webrtc-datachannel} there and opens its channels on
 * it; the SFU delivers relayed messages back on the same (bidirectional) channels. The subscribe transport, whose
 * offers the SFU writes, never carries an {@code m=application} section, so a participant has exactly one SCTP
 * association and the relay one place to deliver to (docs/data-channels.md).
 */
final class DataNegotiation {
    /**
     * Our {@code a=max-message-size}: the largest SCTP message we reassemble. A relayed frame is its payload (the
     * relay's own limit, {@code DataLimits#maxMessageBytes}) plus a header of at most ~66 KB (topic and a full
     * destination list), so 256 KiB (Chromium's own value) always fits a frame the relay would accept.
     */
    static final int MAX_MESSAGE_SIZE = 262_144;

    private DataNegotiation() { }

    /** What the client's data channel section says: its mid, SCTP port and the largest message it accepts. */
    record DataSection(String mid, int remotePort, int remoteMaxMessageSize) { }

    /** The offer's data channel section, or null without one; a malformed port or size refuses the offer. */
    static DataSection read(SessionDescription offer) {
        for (MediaDescription m : offer.media()) {
            if (!DataChannelSection.offered(m)) continue;
            OptionalInt port = DataChannelSection.sctpPort(m);
            OptionalInt size = DataChannelSection.maxMessageSize(m);
            if (port.isEmpty() || size.isEmpty()) {
                throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid()
                        + ": bad a=sctp-port or a=max-message-size");
            }
            return new DataSection(m.mid(), port.getAsInt(), size.getAsInt());
        }
        return null;
    }

    /** An answer section that is the (accepted) data channel section. */
    static boolean isData(MediaDescription am) {
        return am.media().equals("application") && am.formats().contains(DataChannelSection.FORMAT);
    }
}
