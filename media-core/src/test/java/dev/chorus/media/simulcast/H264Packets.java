package dev.chorus.media.simulcast;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * H.264 RTP payloads laid out as RFC 6184 packetization-mode 1 defines them, from real parameter sets: the SPS of
 * OpenH264 (what Chromium's software encoder is) for 320×180, 640×360 and 1280×720 (constrained baseline, frame
 * cropping for the heights that are not multiples of 16), taken from {@code gst-launch-1.0 videotestsrc ! openh264enc}.
 */
public final class H264Packets {
    private H264Packets() { }

    public static final byte[] SPS_320x180 = HexFormat.of().parseHex("6742c00d8c8d40a0cbcf00f08846a0");
    public static final byte[] SPS_640x360 = HexFormat.of().parseHex("6742c01e8c8d405017fcb00f08846a");
    public static final byte[] SPS_1280x720 = HexFormat.of().parseHex("6742c01f8c8d402802dd00f08846a0");
    public static final byte[] PPS = HexFormat.of().parseHex("68ce3c80");
    /** The start of OpenH264's IDR slice (nal_ref_idc 3, type 5). */
    public static final byte[] IDR = HexFormat.of().parseHex("65b800040000053ffffe1e8a00053c9b");
    /** A non-IDR slice (nal_ref_idc 2, type 1). */
    public static final byte[] SLICE = HexFormat.of().parseHex("419a2445a8ffe2a0c1d4b3");

    /** Single NAL unit packet (§5.6): the unit itself. */
    public static byte[] single(byte[] nal) {
        return nal.clone();
    }

    /** STAP-A (§5.7.1): header 24 with the highest nal_ref_idc, then each unit after its 16-bit size. */
    public static byte[] stapA(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int nri = 0;
        for (byte[] n : nals) nri = Math.max(nri, n[0] & 0x60);
        out.write(nri | 24);
        for (byte[] n : nals) {
            out.write(n.length >>> 8);
            out.write(n.length);
            out.write(n, 0, n.length);
        }
        return out.toByteArray();
    }

    /** FU-A fragments (§5.8) of {@code nal}: indicator (its F/NRI, type 28), FU header (S, E, its type), a part each. */
    public static byte[][] fuA(byte[] nal, int fragments) {
        int body = nal.length - 1;
        int per = (body + fragments - 1) / fragments;
        byte[][] out = new byte[fragments][];
        for (int i = 0; i < fragments; i++) {
            int from = 1 + i * per;
            int to = Math.min(nal.length, from + per);
            byte[] p = new byte[2 + to - from];
            p[0] = (byte) ((nal[0] & 0xE0) | 28);
            p[1] = (byte) ((i == 0 ? 0x80 : 0) | (i == fragments - 1 ? 0x40 : 0) | (nal[0] & 0x1F));
            System.arraycopy(nal, from, p, 2, to - from);
            out[i] = p;
        }
        return out;
    }
}
