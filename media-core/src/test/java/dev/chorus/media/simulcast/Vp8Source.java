package dev.chorus.media.simulcast;

import java.util.ArrayList;
import java.util.List;

/**
 * A test publisher encoding: one simulcast layer's VP8 RTP packets (15-bit picture id, TL0PICIDX, TID with
 * libwebrtc's L1T3 pattern 0,2,1,2 and its layer-sync (Y) bits: of each eight pictures only the first TL2 and the first
 * TL1 refer to TL0 alone; see {@link #references}), each picture split into {@code packetsPerPicture} packets, optionally carrying the rid
 * extension (one-byte header, id {@link #RID_EXT}) like Chromium's first packets of an SSRC-less stream.
 */
final class Vp8Source {
    static final int RID_EXT = 10;
    static final int REPAIRED_RID_EXT = 11;
    private static final int[] PATTERN = {0, 2, 1, 2};
    /** Layer sync per position in libwebrtc's eight-picture cycle (its buffers: TL0 updates 'last', TL1 'golden'). */
    private static final boolean[] SYNC = {false, true, true, false, false, false, false, false};

    final long ssrc;
    final String rid;
    final int packetsPerPicture;
    int seq;
    long ts;
    int pictureId;
    int tl0;
    int frame;
    boolean withRid = true;
    /**
     * As Chromium 156 sends VP8 simulcast (measured at the SFU): no extension byte (no picture id, TL0PICIDX or TID),
     * only the N bit on the frames nothing refers to (L1T3's TL2 frames).
     */
    boolean bare;

    Vp8Source(long ssrc, String rid, int firstSeq, long firstTs, int firstPictureId, int packetsPerPicture) {
        this.ssrc = ssrc;
        this.rid = rid;
        this.seq = firstSeq;
        this.ts = firstTs;
        this.pictureId = firstPictureId;
        this.packetsPerPicture = packetsPerPicture;
    }

    /** Temporal id of the next picture. */
    int nextTid() {
        return PATTERN[frame % PATTERN.length];
    }

    /** Whether the next picture is a layer sync (Y bit). */
    boolean nextSync() {
        return SYNC[frame % SYNC.length];
    }

    /**
     * The temporal layers whose latest earlier picture (since the last key frame) a picture of layer {@code tid}
     * needs: a TL0 picture or a layer sync only TL0's; any other picture those of every layer up to its own (what
     * Chromium's VP8 reference finder waits for; the decoder itself reads TL0's 'last' and TL1's 'golden' buffer).
     */
    static int[] references(int tid, boolean sync) {
        if (tid == 0 || sync) return new int[] {0};
        int[] r = new int[tid + 1];
        for (int t = 0; t <= tid; t++) r[t] = t;
        return r;
    }

    /** The packets of the next picture (key frame or not); advances the state by one 30 fps frame. */
    List<byte[]> picture(boolean keyframe) {
        int tid = keyframe ? 0 : nextTid();
        boolean sync = !keyframe && nextSync();
        if (keyframe) frame = 0;
        if (tid == 0) tl0 = (tl0 + 1) & 0xFF;
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < packetsPerPicture; i++) {
            out.add(packet(seq, ts, i == 0, i == packetsPerPicture - 1, pictureId, tl0, tid, sync,
                    keyframe));
            seq = (seq + 1) & 0xFFFF;
        }
        ts = (ts + 3000) & 0xFFFFFFFFL;
        pictureId = (pictureId + 1) & 0x7FFF;
        frame++;
        return out;
    }

    byte[] packet(int seq, long ts, boolean start, boolean marker, int pid, int tl0, int tid, boolean sync,
                  boolean keyframe) {
        byte[] ext = withRid ? ridExtension(RID_EXT, rid) : null;
        int extLen = ext == null ? 0 : 4 + ext.length;
        byte[] b = new byte[12 + extLen + 6 + 20];
        b[0] = (byte) (0x80 | (ext != null ? 0x10 : 0));
        b[1] = (byte) ((marker ? 0x80 : 0) | 96);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        b[4] = (byte) (ts >>> 24); b[5] = (byte) (ts >>> 16); b[6] = (byte) (ts >>> 8); b[7] = (byte) ts;
        b[8] = (byte) (ssrc >>> 24); b[9] = (byte) (ssrc >>> 16); b[10] = (byte) (ssrc >>> 8); b[11] = (byte) ssrc;
        int p = 12;
        if (ext != null) {
            b[p++] = (byte) 0xBE; b[p++] = (byte) 0xDE; b[p++] = 0; b[p++] = (byte) (ext.length / 4);
            System.arraycopy(ext, 0, b, p, ext.length);
            p += ext.length;
        }
        if (bare) {
            b[p++] = (byte) ((tid == 2 ? 0x20 : 0) | (start ? 0x10 : 0)); // N, S, PID 0
            b[p] = (byte) (start && keyframe ? 0x00 : 0x01);
            return java.util.Arrays.copyOf(b, p + 1 + 10);
        }
        b[p++] = (byte) (0x80 | (start ? 0x10 : 0));            // X, S, PID 0
        b[p++] = (byte) 0xE0;                                   // I, L, T
        b[p++] = (byte) (0x80 | (pid >>> 8));                   // M + picture id
        b[p++] = (byte) pid;
        b[p++] = (byte) tl0;
        b[p++] = (byte) ((tid << 6) | (sync ? 0x20 : 0));
        b[p] = (byte) (start && keyframe ? 0x00 : 0x01);       // VP8 payload header P bit
        return b;
    }

    /** A one-byte-header element with the rid, padded to whole words. */
    static byte[] ridExtension(int id, String rid) {
        byte[] r = rid.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int len = 1 + r.length;
        byte[] e = new byte[(len + 3) / 4 * 4];
        e[0] = (byte) ((id << 4) | (r.length - 1));
        System.arraycopy(r, 0, e, 1, r.length);
        return e;
    }
}
