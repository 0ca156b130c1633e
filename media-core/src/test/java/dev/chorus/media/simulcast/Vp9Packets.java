package dev.chorus.media.simulcast;

import java.io.ByteArrayOutputStream;

/**
 * VP9 RTP payloads laid out as RFC 9628 §4.2 defines them: the descriptor (non-flexible mode with layer indices and
 * TL0PICIDX, or flexible mode with reference indices), an optional scalability structure, then payload bytes.
 */
final class Vp9Packets {
    private Vp9Packets() { }

    /** One layer frame packet's descriptor fields. */
    record Fields(int pictureId, boolean inter, int tid, boolean switchingUp, int sid, boolean interLayer, int tl0,
                  boolean begin, boolean end, int[][] structure, int groupSize) { }

    /** A non-flexible-mode packet: I (15-bit picture id), L with TL0PICIDX, V with the SS when {@code structure}. */
    static byte[] nonFlexible(Fields f, byte... payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean ss = f.structure() != null;
        out.write(0x80 | (f.inter() ? 0x40 : 0) | 0x20 | (f.begin() ? 0x08 : 0) | (f.end() ? 0x04 : 0) | (ss ? 0x02 : 0));
        out.write(0x80 | (f.pictureId() >>> 8));
        out.write(f.pictureId());
        out.write((f.tid() << 5) | (f.switchingUp() ? 0x10 : 0) | (f.sid() << 1) | (f.interLayer() ? 1 : 0));
        out.write(f.tl0());
        if (ss) structure(out, f.structure(), f.groupSize());
        out.write(payload, 0, payload.length);
        return out.toByteArray();
    }

    /** SS: N_S, Y (sizes), G (a group of {@code groupSize} pictures, each TID 0 with one reference). */
    static void structure(ByteArrayOutputStream out, int[][] sizes, int groupSize) {
        out.write(((sizes.length - 1) << 5) | 0x10 | (groupSize > 0 ? 0x08 : 0));
        for (int[] s : sizes) {
            out.write(s[0] >>> 8);
            out.write(s[0]);
            out.write(s[1] >>> 8);
            out.write(s[1]);
        }
        if (groupSize > 0) {
            out.write(groupSize);
            for (int i = 0; i < groupSize; i++) {
                out.write(0x04); // TID 0, U 0, R = 1
                out.write(1); // P_DIFF 1
            }
        }
    }
}
