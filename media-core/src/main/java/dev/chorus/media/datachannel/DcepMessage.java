package dev.chorus.media.datachannel;

import java.nio.charset.StandardCharsets;

/**
 * The Data Channel Establishment Protocol messages (RFC 8832 section 5): DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK,
 * carried with PPID 50 on the channel's own stream. {@link #parse} returns null for anything malformed.
 */
public sealed interface DcepMessage {

    int OPEN_TYPE = 0x03;
    int ACK_TYPE = 0x02;
    int OPEN_HEADER = 12;

    record Open(ChannelType type, int priority, long reliabilityParameter, String label, String protocol)
            implements DcepMessage {
        public byte[] encode() {
            byte[] l = label.getBytes(StandardCharsets.UTF_8);
            byte[] p = protocol.getBytes(StandardCharsets.UTF_8);
            if (l.length > 0xFFFF || p.length > 0xFFFF) throw new IllegalArgumentException("label or protocol too long");
            byte[] out = new byte[OPEN_HEADER + l.length + p.length];
            out[0] = OPEN_TYPE;
            out[1] = (byte) type.code;
            out[2] = (byte) (priority >>> 8);
            out[3] = (byte) priority;
            out[4] = (byte) (reliabilityParameter >>> 24);
            out[5] = (byte) (reliabilityParameter >>> 16);
            out[6] = (byte) (reliabilityParameter >>> 8);
            out[7] = (byte) reliabilityParameter;
            out[8] = (byte) (l.length >>> 8);
            out[9] = (byte) l.length;
            out[10] = (byte) (p.length >>> 8);
            out[11] = (byte) p.length;
            System.arraycopy(l, 0, out, OPEN_HEADER, l.length);
            System.arraycopy(p, 0, out, OPEN_HEADER + l.length, p.length);
            return out;
        }
    }

    record Ack() implements DcepMessage {
        public static final byte[] BYTES = {ACK_TYPE};
    }

    static DcepMessage parse(byte[] m) {
        if (m.length == 0) return null;
        int type = m[0] & 0xFF;
        if (type == ACK_TYPE) {
            return m.length == 1 ? new Ack() : null;
        }
        if (type != OPEN_TYPE || m.length < OPEN_HEADER) return null;
        ChannelType channelType = ChannelType.of(m[1] & 0xFF);
        int labelLength = (m[8] & 0xFF) << 8 | (m[9] & 0xFF);
        int protocolLength = (m[10] & 0xFF) << 8 | (m[11] & 0xFF);
        if (channelType == null || OPEN_HEADER + labelLength + protocolLength != m.length) return null;
        long reliability = ((long) (m[4] & 0xFF) << 24) | (m[5] & 0xFF) << 16 | (m[6] & 0xFF) << 8 | (m[7] & 0xFF);
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            String label = decoder.decode(java.nio.ByteBuffer.wrap(m, OPEN_HEADER, labelLength)).toString();
            String protocol = decoder.decode(java.nio.ByteBuffer.wrap(m, OPEN_HEADER + labelLength, protocolLength))
                    .toString();
            return new Open(channelType, (m[2] & 0xFF) << 8 | (m[3] & 0xFF), reliability, label, protocol);
        } catch (java.nio.charset.CharacterCodingException e) {
            return null; // label and protocol are UTF-8 (section 5.1)
        }
    }
}
