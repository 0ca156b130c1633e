package dev.chorus.media.dtls;

/**
 * Reassembles a fragmented DTLS ClientHello into one unfragmented record, so BouncyCastle's stateless
 * {@code DTLSVerifier} (which only reads a ClientHello in a single record) can check it. Browsers need this:
 * Chromium's ClientHello with a post-quantum key share is about 1.4 KB and arrives as two fragments.
 *
 * <p>This is per-transport state, but only for a 5-tuple ICE has already validated (with the ICE password), and it
 * is bounded: one message of at most {@link #MAX_MESSAGE} bytes at a time. Not thread-safe: the event loop owns it.
 */
final class ClientHelloAssembler {
    static final int MAX_MESSAGE = 4096;
    private static final int RECORD_HEADER = 13;
    private static final int HANDSHAKE_HEADER = 12;
    private static final int CLIENT_HELLO = 1;
    private static final int HANDSHAKE = 22;

    private byte[] body;
    private boolean[] have;
    private int missing;
    private int messageSeq = -1;
    private int versionMajor;
    private int versionMinor;
    private long highestRecordSeq;

    /**
     * Feeds one datagram. Returns a datagram holding the whole ClientHello as one record once every fragment has
     * been seen, or null. Datagrams that are not ClientHello fragments are ignored.
     */
    byte[] offer(byte[] data, int offset, int length) {
        int pos = offset;
        int end = offset + length;
        byte[] complete = null;
        while (end - pos >= RECORD_HEADER + HANDSHAKE_HEADER) {
            int recordLength = u16(data, pos + 11);
            int recordEnd = pos + RECORD_HEADER + recordLength;
            if (recordEnd > end) return complete;
            if ((data[pos] & 0xff) == HANDSHAKE && u16(data, pos + 3) == 0) {
                byte[] r = fragment(data, pos, recordLength);
                if (r != null) complete = r;
            }
            pos = recordEnd;
        }
        return complete;
    }

    private byte[] fragment(byte[] d, int record, int recordLength) {
        int h = record + RECORD_HEADER;
        if (recordLength < HANDSHAKE_HEADER || (d[h] & 0xff) != CLIENT_HELLO) return null;
        int messageLength = u24(d, h + 1);
        int seq = u16(d, h + 4);
        int fragmentOffset = u24(d, h + 6);
        int fragmentLength = u24(d, h + 9);
        if (messageLength == 0 || messageLength > MAX_MESSAGE || fragmentLength > recordLength - HANDSHAKE_HEADER
                || fragmentOffset + fragmentLength > messageLength) {
            return null;
        }
        // Unfragmented hellos are the verifier's job alone (it already answered or rejected this one).
        if (fragmentOffset == 0 && fragmentLength == messageLength) return null;
        if (body == null || seq != messageSeq || body.length != messageLength) {
            body = new byte[messageLength];
            have = new boolean[messageLength];
            missing = messageLength;
            messageSeq = seq;
            highestRecordSeq = 0;
        }
        versionMajor = d[record + 1] & 0xff;
        versionMinor = d[record + 2] & 0xff;
        highestRecordSeq = Math.max(highestRecordSeq, u48(d, record + 5));
        System.arraycopy(d, h + HANDSHAKE_HEADER, body, fragmentOffset, fragmentLength);
        for (int i = fragmentOffset; i < fragmentOffset + fragmentLength; i++) {
            if (!have[i]) {
                have[i] = true;
                missing--;
            }
        }
        if (missing > 0) return null;
        byte[] out = new byte[RECORD_HEADER + HANDSHAKE_HEADER + messageLength];
        out[0] = HANDSHAKE;
        out[1] = (byte) versionMajor;
        out[2] = (byte) versionMinor;
        // epoch 0, then the 48-bit record sequence number of the newest fragment
        for (int i = 0; i < 6; i++) out[5 + i] = (byte) (highestRecordSeq >>> (8 * (5 - i)));
        putU16(out, 11, HANDSHAKE_HEADER + messageLength);
        int hh = RECORD_HEADER;
        out[hh] = CLIENT_HELLO;
        putU24(out, hh + 1, messageLength);
        putU16(out, hh + 4, messageSeq);
        putU24(out, hh + 6, 0);
        putU24(out, hh + 9, messageLength);
        System.arraycopy(body, 0, out, RECORD_HEADER + HANDSHAKE_HEADER, messageLength);
        reset();
        return out;
    }

    void reset() {
        body = null;
        have = null;
        missing = 0;
        messageSeq = -1;
    }

    private static int u16(byte[] b, int i) { return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff); }
    private static int u24(byte[] b, int i) { return ((b[i] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff); }

    private static long u48(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 6; k++) v = (v << 8) | (b[i + k] & 0xff);
        return v;
    }

    private static void putU16(byte[] b, int i, int v) { b[i] = (byte) (v >> 8); b[i + 1] = (byte) v; }
    private static void putU24(byte[] b, int i, int v) { b[i] = (byte) (v >> 16); b[i + 1] = (byte) (v >> 8); b[i + 2] = (byte) v; }
}
