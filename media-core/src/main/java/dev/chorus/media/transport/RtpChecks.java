package dev.chorus.media.transport;

/**
 * Structural checks of decrypted RTP and RTCP (RFC 3550): everything the header claims must lie inside the packet.
 * Authentication only proves who sent a packet, not that it is well-formed (SECURITY-CHECKLIST 40).
 */
final class RtpChecks {
    private RtpChecks() {}

    /** Version 2; CSRC list, header extension and padding inside the packet; something left for the payload. */
    static boolean validRtp(byte[] b, int off, int len) {
        if (len < 12) return false;
        int first = b[off] & 0xff;
        if ((first >> 6) != 2) return false;
        int header = 12 + 4 * (first & 0x0f);
        if (header > len) return false;
        if ((first & 0x10) != 0) { // header extension
            if (header + 4 > len) return false;
            int words = ((b[off + header + 2] & 0xff) << 8) | (b[off + header + 3] & 0xff);
            header += 4 + 4 * words;
            if (header > len) return false;
        }
        if ((first & 0x20) != 0) { // padding: last byte counts padding bytes, itself included
            int padding = b[off + len - 1] & 0xff;
            if (padding == 0 || header + padding > len) return false;
        }
        return true;
    }

    /** Every packet of the compound: version 2 and a length that stays inside the datagram. */
    static boolean validRtcp(byte[] b, int off, int len) {
        if (len < 8) return false;
        int pos = 0;
        while (pos < len) {
            if (len - pos < 4) return false;
            if (((b[off + pos] & 0xff) >> 6) != 2) return false;
            int words = ((b[off + pos + 2] & 0xff) << 8) | (b[off + pos + 3] & 0xff);
            int packet = 4 * (words + 1);
            if (packet > len - pos) return false;
            pos += packet;
        }
        return true;
    }

    /** RFC 5761 §4: RTCP packet types 192–223 occupy the RTP marker+payload-type byte. */
    static boolean isRtcp(byte[] b, int off) {
        int pt = b[off + 1] & 0xff;
        return pt >= 192 && pt <= 223;
    }
}
