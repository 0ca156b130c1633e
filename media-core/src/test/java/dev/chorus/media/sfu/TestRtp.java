package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import java.util.Arrays;

/** RTP/RTCP packets as a browser would send them, and helpers to read what the SFU sent. */
final class TestRtp {
    private TestRtp() { }

    /**
     * RTP with a one-byte header extension block: transport-cc (id 3) = {@code twcc} and mid (id 4) = {@code mid},
     * then a deterministic payload.
     */
    static byte[] rtp(int pt, int seq, long ts, long ssrc, int twcc, String mid, int payloadLength) {
        byte[] p = new byte[24 + payloadLength];
        p[0] = (byte) 0x90; // V=2, X=1
        p[1] = (byte) pt;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (ts >> 24); p[5] = (byte) (ts >> 16); p[6] = (byte) (ts >> 8); p[7] = (byte) ts;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        p[12] = (byte) 0xBE; p[13] = (byte) 0xDE; p[14] = 0; p[15] = 2;
        p[16] = 0x31; p[17] = (byte) (twcc >> 8); p[18] = (byte) twcc;
        p[19] = 0x40; p[20] = (byte) mid.charAt(0);
        for (int i = 0; i < payloadLength; i++) p[24 + i] = (byte) (i * 31 + seq * 7 + (ssrc & 0x7F));
        return p;
    }

    /** RTP with a one-byte header extension block holding {@code elements} (padded to 32 bits), then a payload. */
    static byte[] rtpWithExtensions(int pt, int seq, long ts, long ssrc, byte[] elements, int payloadLength) {
        int words = (elements.length + 3) / 4;
        byte[] p = new byte[16 + 4 * words + payloadLength];
        p[0] = (byte) 0x90;
        p[1] = (byte) pt;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        put32(p, 4, ts);
        put32(p, 8, ssrc);
        p[12] = (byte) 0xBE; p[13] = (byte) 0xDE; p[14] = (byte) (words >> 8); p[15] = (byte) words;
        System.arraycopy(elements, 0, p, 16, elements.length);
        for (int i = 0; i < payloadLength; i++) p[16 + 4 * words + i] = (byte) (i * 31 + seq * 7 + (ssrc & 0x7F));
        return p;
    }

    /** The data of header extension {@code id} in {@code rtp}, or null. */
    static byte[] extension(byte[] rtp, int id) {
        RtpPacket v = view(rtp);
        long at = v.findExtension(id);
        if (at < 0) return null;
        int off = (int) (at >>> 16);
        return Arrays.copyOfRange(rtp, off, off + (int) (at & 0xFFFF));
    }

    static byte[] payload(byte[] rtp) {
        RtpPacket v = new RtpPacket();
        if (v.wrap(rtp, 0, rtp.length) != RtpStatus.OK) throw new AssertionError("bad RTP");
        return Arrays.copyOfRange(rtp, v.payloadOffset(), v.payloadOffset() + v.payloadLength());
    }

    static RtpPacket view(byte[] rtp) {
        RtpPacket v = new RtpPacket();
        if (v.wrap(rtp, 0, rtp.length) != RtpStatus.OK) throw new AssertionError("bad RTP");
        return v;
    }

    static RtcpCompound rtcp(byte[] p) {
        RtcpCompound c = new RtcpCompound();
        if (c.wrap(p, 0, p.length) != RtcpStatus.OK) throw new AssertionError("bad RTCP " + c.status());
        return c;
    }

    static int count(byte[] rtcp, java.util.function.BiPredicate<RtcpCompound, Integer> what) {
        RtcpCompound c = rtcp(rtcp);
        int n = 0;
        for (int i = 0; i < c.packetCount(); i++) if (what.test(c, i)) n++;
        return n;
    }

    static byte[] pli(long sender, long media) {
        byte[] b = new byte[12];
        b[0] = (byte) 0x81; b[1] = (byte) 206; b[3] = 2;
        put32(b, 4, sender);
        put32(b, 8, media);
        return b;
    }

    /** An empty receiver report (RFC 3550: no report blocks), as a receiver sends when it has nothing to report. */
    static byte[] rr(long sender) {
        byte[] b = new byte[8];
        b[0] = (byte) 0x80; b[1] = (byte) 201; b[3] = 1;
        put32(b, 4, sender);
        return b;
    }

    /** A full intra request (RFC 5104) for {@code media}. */
    static byte[] fir(long sender, long media, int seq) {
        byte[] b = new byte[20];
        b[0] = (byte) 0x84; b[1] = (byte) 206; b[3] = 4;
        put32(b, 4, sender);
        put32(b, 12, media);
        b[16] = (byte) seq;
        return b;
    }

    /** A NACK with {@code entries} FCI entries starting at {@code pid}, 17 sequence numbers apart, blp all ones. */
    static byte[] nack(long sender, long media, int pid, int entries, int blp) {
        byte[] b = new byte[12 + 4 * entries];
        b[0] = (byte) 0x81; b[1] = (byte) 205;
        int words = b.length / 4 - 1;
        b[2] = (byte) (words >> 8); b[3] = (byte) words;
        put32(b, 4, sender);
        put32(b, 8, media);
        for (int k = 0; k < entries; k++) {
            int p = (pid + 17 * k) & 0xFFFF;
            b[12 + 4 * k] = (byte) (p >> 8); b[13 + 4 * k] = (byte) p;
            b[14 + 4 * k] = (byte) (blp >> 8); b[15 + 4 * k] = (byte) blp;
        }
        return b;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24); b[off + 1] = (byte) (v >>> 16); b[off + 2] = (byte) (v >>> 8); b[off + 3] = (byte) v;
    }
}
