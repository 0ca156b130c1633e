package dev.chorus.media.simulcast;

import dev.chorus.media.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Maps the RTP streams of one simulcast m-section to its layers. Chromium's simulcast offers carry no
 * {@code a=ssrc} lines (RFC 8853): each encoding is named by a {@code rid} (RFC 8851), and its packets carry the
 * RtpStreamId header extension ({@code urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id}), RTX packets the
 * RepairedRtpStreamId one ({@code ...:repaired-rtp-stream-id}) (RFC 8852). The first packet of an SSRC carrying
 * either extension binds that SSRC to the layer; later packets (Chromium stops sending the extensions once the
 * SSRC is acknowledged) are found by SSRC alone.
 *
 * <p>Layers are numbered from 0 = lowest quality, in the order the rids are given (the SDP's {@code a=simulcast}
 * order is the publisher's, which the caller resolves to quality order). A rid that is not in the list, or an
 * SSRC never seen with a rid, yields {@link #UNKNOWN}. At most {@link #MAX_SSRCS} SSRCs are bound (a publisher
 * restarting its encoders rebinds an existing layer; a flood of new SSRCs cannot grow the table). Single thread
 * (the room's worker); no allocation per packet.
 */
public final class SimulcastStreams {
    public static final int UNKNOWN = -1;
    /** Bit set in a {@link #classify} result for an RTX (repair) stream. */
    public static final int RTX = 0x100;
    /** Media + RTX SSRCs of up to 4 layers, with room for one restart. */
    public static final int MAX_SSRCS = 16;

    private final byte[][] rids;
    private final int ridExtId;
    private final int repairedRidExtId;
    private final long[] ssrcs = new long[MAX_SSRCS];
    private final int[] layerOf = new int[MAX_SSRCS];
    private final long[] newest; // media SSRC last bound per layer (an encoder restart rebinds)
    private int bound;
    private int next; // round-robin replacement once full

    /**
     * @param ridsLowToHigh the rids, lowest quality first (at most 8, each 1–16 alphanumeric characters)
     * @param ridExtId RFC 8285 id of the rtp-stream-id extension in the publisher's section (0 = not negotiated)
     * @param repairedRidExtId id of the repaired-rtp-stream-id extension (0 = not negotiated)
     */
    public SimulcastStreams(List<String> ridsLowToHigh, int ridExtId, int repairedRidExtId) {
        if (ridsLowToHigh.isEmpty() || ridsLowToHigh.size() > 8) {
            throw new IllegalArgumentException("1 to 8 rids, got " + ridsLowToHigh.size());
        }
        this.rids = new byte[ridsLowToHigh.size()][];
        for (int i = 0; i < rids.length; i++) {
            String rid = ridsLowToHigh.get(i);
            if (!rid.matches("[A-Za-z0-9]{1,16}")) throw new IllegalArgumentException("bad rid: " + rid);
            rids[i] = rid.getBytes(StandardCharsets.US_ASCII);
        }
        this.newest = new long[rids.length];
        java.util.Arrays.fill(newest, -1);
        this.ridExtId = ridExtId;
        this.repairedRidExtId = repairedRidExtId;
    }

    /** Number of layers. */
    public int layers() { return rids.length; }

    /** The rid of {@code layer}. */
    public String rid(int layer) { return new String(rids[layer], StandardCharsets.US_ASCII); }

    /** The layer of {@code rid}, or {@link #UNKNOWN}. */
    public int layerOf(String rid) {
        byte[] b = rid.getBytes(StandardCharsets.US_ASCII);
        return match(b, 0, b.length);
    }

    /**
     * The layer of a packet ({@code | RTX} for a repair stream), learning its SSRC from the rid extensions, or
     * {@link #UNKNOWN} if neither the extensions nor an earlier binding say.
     */
    public int classify(RtpPacket rtp) {
        long ssrc = rtp.ssrc();
        int layer = extensionLayer(rtp, ridExtId);
        if (layer != UNKNOWN) return bind(ssrc, layer);
        layer = extensionLayer(rtp, repairedRidExtId);
        if (layer != UNKNOWN) return bind(ssrc, layer | RTX);
        return lookup(ssrc);
    }

    /** The layer bound to {@code ssrc} ({@code | RTX}), or {@link #UNKNOWN}. */
    public int lookup(long ssrc) {
        for (int i = 0; i < bound; i++) {
            if (ssrcs[i] == ssrc) return layerOf[i];
        }
        return UNKNOWN;
    }

    /** The media SSRC currently bound to {@code layer}, or -1. */
    public long ssrcOf(int layer) {
        return layer >= 0 && layer < newest.length ? newest[layer] : -1;
    }

    private int extensionLayer(RtpPacket rtp, int id) {
        if (id <= 0) return UNKNOWN;
        long at = rtp.findExtension(id);
        if (at < 0) return UNKNOWN;
        int data = (int) (at >>> 16);
        int len = (int) (at & 0xFFFF);
        byte[] b = rtp.buffer();
        // RFC 8852 §3: the value may be zero-padded; trailing NULs are not part of the id.
        while (len > 0 && b[data + len - 1] == 0) len--;
        return match(b, data, len);
    }

    private int match(byte[] b, int off, int len) {
        outer:
        for (int i = 0; i < rids.length; i++) {
            byte[] r = rids[i];
            if (r.length != len) continue;
            for (int k = 0; k < len; k++) {
                if (r[k] != b[off + k]) continue outer;
            }
            return i;
        }
        return UNKNOWN;
    }

    private int bind(long ssrc, int layer) {
        if ((layer & RTX) == 0) newest[layer] = ssrc;
        for (int i = 0; i < bound; i++) {
            if (ssrcs[i] == ssrc) {
                layerOf[i] = layer;
                return layer;
            }
        }
        int slot;
        if (bound < MAX_SSRCS) {
            slot = bound++;
        } else {
            slot = next;
            next = (next + 1) % MAX_SSRCS;
        }
        // A layer rebinding to a new SSRC (encoder restart) keeps its old entry until the slot is reused.
        ssrcs[slot] = ssrc;
        layerOf[slot] = layer;
        return layer;
    }
}
