package dev.chorus.media.sfu.rtcp;

import java.util.concurrent.TimeUnit;

/**
 * Receiver-side NACK generation for one incoming RTP stream (one SSRC of a published video track, or one simulcast
 * layer): which sequence numbers are missing, and when to ask the sender for them again (RFC 4585 generic NACK;
 * the sender repairs with RTX, RFC 4588). The same job as libwebrtc's {@code NackRequester} and mediasoup's
 * {@code NackGenerator}, written from their documented behaviour.
 *
 * <ul>
 *   <li>{@link #onPacket} is fed every packet that arrives (media, and the original packets unwrapped from RTX
 *   repairs). A forward jump adds the skipped sequence numbers to the missing set; a packet that fills a hole
 *   removes it ({@link #RECOVERED} if it had been asked for, {@link #REORDERED} if it came before the first NACK).</li>
 *   <li>{@link #collect} (the worker's timer) returns the sequence numbers due: new holes at once (the timer's period
 *   is the reordering tolerance), asked-for ones again once a retry interval passed. The retry interval follows the
 *   round trip, measured here from the NACK to the repair of packets asked for exactly once (Karn's rule: a repair
 *   after several NACKs says nothing about which one it answers), smoothed as RFC 6298 does.</li>
 *   <li>A sequence number is given up after {@link #maxRetries} NACKs, when it has been missing for longer than
 *   {@link #maxAgeNanos} (too late for the receivers' jitter buffers), or when it falls out of the window of
 *   {@link #WINDOW} sequence numbers behind the newest.</li>
 *   <li>Bounded: at most {@link #maxMissing} missing at once. A jump larger than that, or a loss burst that
 *   would overflow it, clears the set and answers {@link #KEYFRAME_NEEDED}: a key frame repairs faster than a
 *   thousand retransmissions. A new SSRC (encoder restart) starts afresh.</li>
 * </ul>
 *
 * Sequence numbers are extended to 64 bits internally, so the 16-bit wrap is invisible. The set is a table
 * indexed by extended sequence number modulo {@link #WINDOW}; nothing is allocated after construction.
 * Single-threaded (the room's worker).
 */
public final class NackGenerator {
    /** Sequence numbers behind the newest that can be tracked (a power of two). */
    public static final int WINDOW = 1024;
    private static final int MASK = WINDOW - 1;

    /** What {@link #onPacket} saw. */
    public static final int IN_ORDER = 0;
    /** The packet filled a hole that had been NACKed (a repair, or a very late packet). */
    public static final int RECOVERED = 1;
    /** The packet filled a hole before it was NACKed. */
    public static final int REORDERED = 2;
    /** Seen before, or older than anything tracked. */
    public static final int DUPLICATE = 3;
    /** Too much is missing to ask for: the set was cleared; ask the sender for a key frame instead. */
    public static final int KEYFRAME_NEEDED = 4;

    /** Round trip assumed before the first measurement (libwebrtc and mediasoup use the same). */
    public static final long DEFAULT_RTT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Shortest retry interval, however short the round trip (the timer runs every 10 ms). */
    public static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Longest retry interval, however slow the repairs. */
    public static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final int maxMissing;
    private final int maxRetries;
    private final long maxAgeNanos;

    private final long[] slotSeq = new long[WINDOW]; // extended sequence number held by the slot, or -1
    private final long[] missingSince = new long[WINDOW];
    private final long[] lastSentNanos = new long[WINDOW];
    private final int[] retries = new int[WINDOW];

    private long ssrc = -1;
    private long highest = -1; // extended; -1 before the first packet
    private long lowest; // no missing entry is below this
    private int missing;
    private long srttNanos = -1;
    private long rttvarNanos;

    private long requested;
    private long recovered;
    private long givenUp;
    private long keyframesNeeded;

    /** With the limits of production SFUs: 1,000 missing, 10 NACKs each, 1 s. */
    public NackGenerator() {
        this(1000, 10, TimeUnit.SECONDS.toNanos(1));
    }

    public NackGenerator(int maxMissing, int maxRetries, long maxAgeNanos) {
        if (maxMissing < 1 || maxMissing >= WINDOW) throw new IllegalArgumentException("maxMissing 1.." + (WINDOW - 1));
        if (maxRetries < 1) throw new IllegalArgumentException("maxRetries");
        this.maxMissing = maxMissing;
        this.maxRetries = maxRetries;
        this.maxAgeNanos = maxAgeNanos;
        java.util.Arrays.fill(slotSeq, -1);
    }

    /**
     * A packet of stream {@code ssrc} with sequence number {@code seq} arrived; {@code repaired} if it was unwrapped
     * from an RTX repair (a repair never moves the stream back or restarts it). Returns {@link #IN_ORDER},
     * {@link #RECOVERED}, {@link #REORDERED}, {@link #DUPLICATE} or {@link #KEYFRAME_NEEDED}.
     */
    public int onPacket(long ssrc, int seq, boolean repaired, long nowNanos) {
        seq &= 0xFFFF;
        if (ssrc != this.ssrc || highest < 0) {
            if (repaired && highest >= 0) return DUPLICATE; // a repair for a stream that is no longer current
            reset(ssrc);
            highest = seq + 0x10000L; // room below for late packets of the first cycle
            return IN_ORDER;
        }
        int delta = (short) (seq - (int) (highest & 0xFFFF));
        if (delta == 0) return DUPLICATE;
        if (delta < 0) {
            long ext = highest + delta;
            int i = (int) (ext & MASK);
            if (slotSeq[i] == ext) {
                boolean asked = retries[i] > 0;
                if (retries[i] == 1) sampleRtt(nowNanos - lastSentNanos[i]);
                remove(i);
                if (asked) recovered++;
                return asked ? RECOVERED : REORDERED;
            }
            if (!repaired && delta < -WINDOW) {
                // Far behind everything tracked and not a repair: the sender restarted its sequence numbers.
                reset(ssrc);
                highest = seq + 0x10000L;
            }
            return DUPLICATE;
        }
        long ext = highest + delta;
        if (delta - 1 > maxMissing) return clearForKeyframe(ext);
        if (delta > 1 || missing > 0) {
            for (long e = highest + 1; e <= ext; e++) {
                int i = (int) (e & MASK);
                if (slotSeq[i] >= 0) { // e - WINDOW: out of the window now
                    remove(i);
                    givenUp++;
                }
                if (e == ext) break;
                if (missing >= maxMissing) return clearForKeyframe(ext);
                if (missing == 0) lowest = e;
                slotSeq[i] = e;
                missingSince[i] = nowNanos;
                lastSentNanos[i] = 0;
                retries[i] = 0;
                missing++;
            }
        }
        highest = ext;
        return IN_ORDER;
    }

    /**
     * The worker's timer: writes into {@code out} (at most {@code max}) the 16-bit sequence numbers to NACK now, in
     * sequence order, and counts each as asked once more; gives up on those past their retries or age. Returns how
     * many were written.
     */
    public int collect(long nowNanos, int[] out, int max) {
        if (missing == 0) return 0;
        long retry = retryIntervalNanos();
        int n = 0;
        long from = Math.max(lowest, highest - WINDOW + 1);
        boolean seenFirst = false;
        for (long e = from; e < highest && missing > 0; e++) {
            int i = (int) (e & MASK);
            if (slotSeq[i] != e) continue;
            if (!seenFirst) {
                lowest = e;
                seenFirst = true;
            }
            boolean due = retries[i] == 0 || nowNanos - lastSentNanos[i] >= retry;
            if (nowNanos - missingSince[i] > maxAgeNanos || due && retries[i] >= maxRetries) {
                remove(i);
                givenUp++;
                continue;
            }
            if (!due || n >= max) continue;
            out[n++] = (int) (e & 0xFFFF);
            retries[i]++;
            lastSentNanos[i] = nowNanos;
            requested++;
        }
        return n;
    }

    /** How long after a NACK the same sequence number is asked for again: the smoothed round trip plus twice its variation. */
    public long retryIntervalNanos() {
        if (srttNanos < 0) return DEFAULT_RTT_NANOS;
        return Math.clamp(srttNanos + 2 * rttvarNanos, MIN_RETRY_NANOS, MAX_RETRY_NANOS);
    }

    /** The smoothed round trip from NACK to repair, or {@link #DEFAULT_RTT_NANOS} before the first repair. */
    public long rttNanos() {
        return srttNanos < 0 ? DEFAULT_RTT_NANOS : srttNanos;
    }

    private void sampleRtt(long sample) {
        if (sample <= 0) return;
        if (srttNanos < 0) {
            srttNanos = sample;
            rttvarNanos = sample / 4;
        } else {
            rttvarNanos = (3 * rttvarNanos + Math.abs(srttNanos - sample)) / 4;
            srttNanos = (7 * srttNanos + sample) / 8;
        }
    }

    private int clearForKeyframe(long ext) {
        givenUp += missing;
        clearMissing();
        highest = ext;
        keyframesNeeded++;
        return KEYFRAME_NEEDED;
    }

    private void reset(long newSsrc) {
        givenUp += missing;
        clearMissing();
        ssrc = newSsrc;
        highest = -1;
    }

    private void clearMissing() {
        if (missing > 0) java.util.Arrays.fill(slotSeq, -1);
        missing = 0;
    }

    private void remove(int i) {
        slotSeq[i] = -1;
        missing--;
    }

    /** The SSRC of the stream followed (the media SSRC a NACK names), or -1 before the first packet. */
    public long ssrc() { return ssrc; }
    /** Sequence numbers missing now. */
    public int missing() { return missing; }
    /** NACK entries produced (a retry counts again). */
    public long requested() { return requested; }
    /** Asked-for packets that arrived afterwards. */
    public long recovered() { return recovered; }
    /** Missing packets no longer asked for (retries or age exhausted, out of the window, cleared for a key frame). */
    public long givenUp() { return givenUp; }
    /** Times the set was cleared and a key frame needed instead. */
    public long keyframesNeeded() { return keyframesNeeded; }
}
