package dev.chorus.media.sfu;

import dev.chorus.media.bwe.PacingBudget;
import dev.chorus.media.transport.MediaChannel;

/**
 * Paces one subscriber's video egress (issue 12): a packet leaves at once while the {@link PacingBudget} (2.5 × the
 * subscriber's estimate, 40 ms burst) allows, else it waits in a FIFO ring and leaves as the budget refills (on the
 * next forwarded packet or the worker's 10 ms tick). A key frame thus reaches a shaped link as a stream at a few
 * times its rate rather than as one line-rate burst that overflows the bottleneck's queue (loss, then a loss-based
 * decrease and a freeze). Audio, retransmissions and probe padding do not go through it: audio is never delayed
 * behind video. A packet too large for a slot, or one arriving at a full ring, leaves at once (counted): pacing
 * is best effort, never a drop. The ring (128 × 1500 bytes) is allocated on first use; nothing per packet.
 * Owner: the room's worker thread.
 */
final class EgressPacer {
    static final int SLOTS = 128;
    static final int SLOT_BYTES = 1500;
    static final long BURST_MICROS = 40_000;

    private final SubscribeSide side;
    private final Worker worker;
    private final PacingBudget budget = new PacingBudget(
            dev.chorus.media.bwe.SendSideBandwidthEstimator.DEFAULT_START_BPS, PacingBudget.DEFAULT_FACTOR, BURST_MICROS);
    private byte[] ring;
    private final int[] lengths = new int[SLOTS];
    private final int[] twccs = new int[SLOTS];
    private int head;
    private int size;
    /** Off until the subscriber's estimate governs it (no transport-cc: nothing is paced). */
    private boolean on;
    long queued;
    long overflow;

    EgressPacer(SubscribeSide side, Worker worker) {
        this.side = side;
        this.worker = worker;
    }

    /** Follows the estimate; {@code on} false sends what waits and stops pacing. */
    void configure(boolean on, long estimateBps, long now) {
        budget.setRate(Math.max(estimateBps, 50_000));
        if (this.on && !on) {
            this.on = false;
            flushAll(now);
        }
        this.on = on;
    }

    /**
     * Per forwarded video packet (already rewritten, with transport-wide sequence {@code twcc} or -1): sends it now
     * or queues a copy. Returns false only when the transport refused it.
     */
    boolean send(MediaChannel link, byte[] buf, int off, int len, int twcc, long now) {
        if (!on) return sendNow(link, buf, off, len, twcc, now);
        drain(now);
        if (size == 0 && budget.tryConsume(len + SubscriberEstimate.WIRE_OVERHEAD, now)) {
            return sendNow(link, buf, off, len, twcc, now);
        }
        if (size == SLOTS || len > SLOT_BYTES) {
            overflow++;
            return sendNow(link, buf, off, len, twcc, now);
        }
        if (ring == null) ring = new byte[SLOTS * SLOT_BYTES];
        int slot = (head + size) % SLOTS;
        System.arraycopy(buf, off, ring, slot * SLOT_BYTES, len);
        lengths[slot] = len;
        twccs[slot] = twcc;
        size++;
        queued++;
        return true;
    }

    /** Sends what the budget allows now (worker tick and each offer). */
    void drain(long now) {
        if (size == 0) return;
        Endpoint sub = side.transports().subscribe;
        if (sub == null || sub.link == null) {
            size = 0; // the transport is gone: what waited is obsolete
            return;
        }
        while (size > 0 && budget.tryConsume(lengths[head] + SubscriberEstimate.WIRE_OVERHEAD, now)) {
            sendHead(sub.link, now);
        }
    }

    private void flushAll(long now) {
        Endpoint sub = side.transports().subscribe;
        if (sub == null || sub.link == null) {
            size = 0;
            return;
        }
        while (size > 0) sendHead(sub.link, now);
    }

    private void sendHead(MediaChannel link, long now) {
        int slot = head;
        head = (head + 1) % SLOTS;
        size--;
        if (!sendNow(link, ring, slot * SLOT_BYTES, lengths[slot], twccs[slot], now)) worker.counters.sendFailures++;
    }

    private boolean sendNow(MediaChannel link, byte[] buf, int off, int len, int twcc, long now) {
        if (!link.send(buf, off, len, false)) return false;
        side.estimate.onSent(twcc, len, now);
        worker.sentSomething = true;
        return true;
    }

    /** Packets waiting now. */
    int waiting() {
        return size;
    }
}
