package dev.chorus.media.rtp;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SessionDescription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Accepts only RTP from SSRCs the sender announced in its SDP (SECURITY-CHECKLIST 39): the {@code a=ssrc} ids of
 * its sending sections (RTX included), plus, for simulcast sections without SSRCs, streams identified by the
 * RFC 8852 rid (or repaired-rid) header extension whose mid and rid were offered — those SSRCs are learned on first
 * sight, up to a fixed number. Lookups use a primitive open-addressing table: no allocation per packet. One filter
 * per publisher transport, used by the thread that owns it.
 */
public final class SsrcFilter {
    static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    static final String RRID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    private final long[] keys;
    private final int[] values; // index into mids, +1 (0 = empty slot)
    private final int mask;
    private final int maxLearned;
    private int learned;
    private int size;
    private final List<String> mids = new ArrayList<>();
    private final List<byte[]> midBytes = new ArrayList<>();
    private final List<List<byte[]>> ridsByMid = new ArrayList<>();
    private final int midExtId;
    private final int ridExtId;
    private final int rridExtId;

    private SsrcFilter(int capacity, int maxLearned, int midExtId, int ridExtId, int rridExtId) {
        int cap = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        this.keys = new long[cap];
        this.values = new int[cap];
        this.mask = cap - 1;
        this.maxLearned = maxLearned;
        this.midExtId = midExtId;
        this.ridExtId = ridExtId;
        this.rridExtId = rridExtId;
    }

    /**
     * Builds the filter from the publisher's description (its offer, or its answer when the SFU offered).
     *
     * @param maxLearned upper bound of SSRCs learned through rid (e.g. 2 × simulcast layers × video sections)
     */
    public static SsrcFilter fromDescription(SessionDescription sd, int maxLearned) {
        int announced = 0;
        int mid = -1;
        int rid = -1;
        int rrid = -1;
        for (MediaDescription m : sd.media()) {
            announced += m.ssrcIds().size();
            for (Sdp.Extmap e : m.extmaps()) {
                switch (e.uri()) {
                    case MID_URI -> mid = e.id();
                    case RID_URI -> rid = e.id();
                    case RRID_URI -> rrid = e.id();
                    default -> { }
                }
            }
        }
        SsrcFilter f = new SsrcFilter(announced + maxLearned, maxLearned, mid, rid, rrid);
        for (MediaDescription m : sd.media()) {
            if (m.isRejected() || !m.effectiveDirection().sends() || m.mid() == null) {
                continue;
            }
            int index = f.mids.size();
            f.mids.add(m.mid());
            f.midBytes.add(m.mid().getBytes(StandardCharsets.UTF_8));
            List<byte[]> rids = new ArrayList<>();
            for (Sdp.Rid r : m.rids()) {
                if (r.direction().equals("send")) {
                    rids.add(r.id().getBytes(StandardCharsets.UTF_8));
                }
            }
            f.ridsByMid.add(rids);
            for (long ssrc : m.ssrcIds()) {
                f.put(ssrc, index);
            }
        }
        return f;
    }

    /**
     * True if the packet's SSRC was announced or is learned now from an offered (mid, rid). The view must be
     * {@link RtpStatus#OK}.
     */
    public boolean accept(RtpPacket rtp) {
        long ssrc = rtp.ssrc();
        if (get(ssrc) >= 0) {
            return true;
        }
        if (learned >= maxLearned || midExtId < 0 || (ridExtId < 0 && rridExtId < 0)) {
            return false;
        }
        long midExt = rtp.findExtension(midExtId);
        if (midExt < 0) {
            return false;
        }
        int section = matchMid(rtp.buffer(), (int) (midExt >>> 16), (int) (midExt & 0xFFFF));
        if (section < 0) {
            return false;
        }
        long ridExt = ridExtId > 0 ? rtp.findExtension(ridExtId) : -1;
        if (ridExt < 0 && rridExtId > 0) {
            ridExt = rtp.findExtension(rridExtId);
        }
        if (ridExt < 0 || !matchRid(section, rtp.buffer(), (int) (ridExt >>> 16), (int) (ridExt & 0xFFFF))) {
            return false;
        }
        learned++;
        put(ssrc, section);
        return true;
    }

    /** The mid of an accepted SSRC, or null. */
    public String midOf(long ssrc) {
        int i = get(ssrc);
        return i < 0 ? null : mids.get(i);
    }

    /** SSRCs learned through rid so far (bounded by {@code maxLearned}). */
    public int learnedCount() {
        return learned;
    }

    /** All SSRCs currently accepted. */
    public int size() {
        return size;
    }

    private int matchMid(byte[] b, int off, int len) {
        for (int i = 0; i < midBytes.size(); i++) {
            if (equalBytes(midBytes.get(i), b, off, len)) {
                return i;
            }
        }
        return -1;
    }

    private boolean matchRid(int section, byte[] b, int off, int len) {
        for (byte[] r : ridsByMid.get(section)) {
            if (equalBytes(r, b, off, len)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalBytes(byte[] a, byte[] b, int off, int len) {
        if (a.length != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (a[k] != b[off + k]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void put(long key, int value) {
        int i = hash(key) & mask;
        while (values[i] != 0) {
            if (keys[i] == key) {
                values[i] = value + 1;
                return;
            }
            i = (i + 1) & mask;
        }
        if (size + 1 > keys.length / 2) {
            return; // table sized for announced + maxLearned; never more than half full
        }
        keys[i] = key;
        values[i] = value + 1;
        size++;
    }

    private int get(long key) {
        int i = hash(key) & mask;
        while (values[i] != 0) {
            if (keys[i] == key) {
                return values[i] - 1;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }
}
