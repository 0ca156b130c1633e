package dev.chorus.media.sfu;

import dev.chorus.common.rate.TokenBucket;
import dev.chorus.media.rtp.RtcpCompound;

/**
 * Answers one subscriber's NACKs from the producers' retransmission caches, within its retransmission budget
 * (SECURITY-CHECKLIST 42: per NACK and per second; the rest is counted). What a cache lacks was lost on the way in
 * too: it is counted as missed, not forwarded; the SFU asks publishers for the holes in their streams itself
 * ({@link dev.chorus.media.sfu.rtcp.NackGenerator}, for single streams and simulcast layers alike) and forwards the
 * repairs. Owner: the room's worker thread.
 */
final class NackResponder {
    private final RoomImpl room;
    private final Worker worker;
    private final TokenBucket budget;
    long answered;

    NackResponder(RoomImpl room, long now) {
        this.room = room;
        this.worker = room.worker;
        this.budget = new TokenBucket(room.config.nackBudgetPerSecond(), room.config.nackBudgetPerSecond(), now);
    }

    /** Worker: the NACK at index {@code i} of {@code rtcp}, for consumer {@code c}. */
    void answer(Consumer c, RtcpCompound rtcp, int i, long now) {
        int answeredHere = 0;
        int entries = rtcp.nackCount(i);
        SfuCounters counters = worker.counters;
        int maxPerRequest = room.config.nackMaxPerRequest();
        for (int k = 0; k < entries; k++) {
            int pid = rtcp.nackPid(i, k);
            int blp = rtcp.nackBlp(i, k);
            for (int bit = -1; bit < 16; bit++) {
                if (bit >= 0 && (blp & (1 << bit)) == 0) continue;
                int seq = (pid + bit + 1) & 0xFFFF;
                if (answeredHere >= maxPerRequest || !budget.tryTake(1, now)) {
                    counters.nacksOverBudget++;
                    continue;
                }
                if (c.layers != null) {
                    // Simulcast: the sent log says which layer's packet this was (layers' numbers collide).
                    int answer = answerFromLayer(c, seq, now);
                    if (answer == OVER_BANDWIDTH) {
                        counters.nacksOverBandwidth++;
                    } else if (answer == ANSWERED) {
                        answeredHere++;
                        counters.nacksAnswered++;
                        answered++;
                    } else {
                        counters.nacksMissed++;
                    }
                    continue;
                }
                int source = c.sourceSequence(seq);
                int slot = c.track.cache.find(source, now);
                if (slot < 0) {
                    // Not here: lost on the way in too (or too old). The track's NackGenerator asks the publisher for
                    // such holes on its own; the repair is forwarded to every subscriber and cached.
                    counters.nacksMissed++;
                    continue;
                }
                if (!c.subscriber.subscribing.estimate.mayRetransmit(c.track.cache.length(slot) + 2, now)) {
                    counters.nacksOverBandwidth++;
                    continue;
                }
                answeredHere++;
                if (room.retransmit(c, slot)) {
                    counters.nacksAnswered++;
                    answered++;
                }
            }
        }
    }

    private static final int ANSWERED = 0;
    private static final int MISSED = 1;
    private static final int OVER_BANDWIDTH = 2;

    private int answerFromLayer(Consumer c, int seq, long now) {
        SimulcastLayers sc = c.track.simulcast;
        int sent = c.layers.sentSlot(seq);
        if (sc == null || sent < 0) return MISSED;
        int layer = c.layers.sentLayer(sent);
        if (layer >= sc.layers) return MISSED;
        int slot = sc.caches[layer].find(c.layers.sentSourceSeq(sent), now);
        if (slot < 0) return MISSED;
        if (!c.subscriber.subscribing.estimate.mayRetransmit(sc.caches[layer].length(slot) + 2, now)) return OVER_BANDWIDTH;
        return room.retransmit(c, sc.caches[layer], slot, sent) ? ANSWERED : MISSED;
    }
}
