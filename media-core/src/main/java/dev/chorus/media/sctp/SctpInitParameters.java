package dev.chorus.media.sctp;

import java.util.Arrays;

/**
 * The optional parameters of an INIT or INIT-ACK we act on (RFC 9260 section 3.3.2): the state cookie, and whether
 * the peer supports FORWARD-TSN (RFC 3758) and RE-CONFIG (RFC 6525). Also writes our own INIT / INIT-ACK body.
 */
record SctpInitParameters(boolean forwardTsn, boolean reconfig, byte[] cookie) {

    /** Parses the parameter list {@code b[p, p+len)}; null when it is malformed. */
    static SctpInitParameters parse(byte[] b, int p, int len) {
        int end = p + len;
        boolean forwardTsn = false;
        boolean reconfig = false;
        byte[] cookie = null;
        while (end - p >= 4) {
            int type = Bytes.u16(b, p);
            int plen = Bytes.u16(b, p + 2);
            if (plen < 4 || plen > end - p) return null;
            switch (type) {
                case SctpChunks.PARAM_STATE_COOKIE -> cookie = Arrays.copyOfRange(b, p + 4, p + plen);
                case SctpChunks.PARAM_FORWARD_TSN_SUPPORTED -> forwardTsn = true;
                case SctpChunks.PARAM_SUPPORTED_EXTENSIONS -> {
                    for (int k = p + 4; k < p + plen; k++) {
                        forwardTsn |= Bytes.u8(b, k) == SctpChunks.FORWARD_TSN;
                        reconfig |= Bytes.u8(b, k) == SctpChunks.RE_CONFIG;
                    }
                }
                default -> {
                    // high bit clear: stop processing parameters (section 3.2.1)
                    if ((type & 0x8000) == 0) return new SctpInitParameters(forwardTsn, reconfig, cookie);
                }
            }
            p += Bytes.pad4(plen);
        }
        return new SctpInitParameters(forwardTsn, reconfig, cookie);
    }

    /** INIT / INIT-ACK fixed part, Supported Extensions (FORWARD-TSN, RE-CONFIG) and Forward-TSN-Supported. */
    static void writeBody(SctpPacketBuilder out, SctpConfig config, int type, int tag, int tsn) {
        out.startChunk(type, 0);
        out.put32(tag & 0xFFFF_FFFFL);
        out.put32(config.receiveBufferSize());
        out.put16(config.streams());
        out.put16(config.streams());
        out.put32(tsn & 0xFFFF_FFFFL);
        out.put16(SctpChunks.PARAM_SUPPORTED_EXTENSIONS);
        out.put16(6);
        out.put8(SctpChunks.FORWARD_TSN);
        out.put8(SctpChunks.RE_CONFIG);
        out.put16(0); // padding of the 6-byte parameter
        out.put16(SctpChunks.PARAM_FORWARD_TSN_SUPPORTED);
        out.put16(4);
    }
}
