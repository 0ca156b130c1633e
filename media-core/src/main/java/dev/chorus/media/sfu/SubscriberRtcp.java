package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.sfu.rtcp.RtcpWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * RTCP between the SFU and one subscriber, on the room's worker: what the subscriber reports (key frame requests
 * passed on to the publishers, NACKs answered from the retransmission cache, receiver reports, REMB, transport-cc
 * feedback for the send-side estimate), what the SFU reports to it (sender reports of its started consumers), and
 * the return of its RTCP after a silence.
 */
final class SubscriberRtcp {
    /**
     * RTCP from a subscriber that receives video comes at least every second or so (receiver reports; transport-cc
     * feedback far more often). A silence this long means its path was cut (a blackout, a network change); see
     * {@link #onReturned}.
     */
    static final long SILENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);

    private final SubscribeSide side;
    private final Worker worker;
    final long ssrc = ParticipantImpl.randomSsrc();
    private long nextReportNanos;
    /** When the subscriber's last RTCP arrived (0: none yet). */
    private long lastRtcpNanos;
    /** Times the subscriber's RTCP came back after a silence (each asked its videos' publishers for key frames). */
    long returns;
    /** The subscriber's last REMB (stacks without transport-cc), 0 if none. */
    long rembBps;
    long transportCcFeedbacks;

    SubscriberRtcp(SubscribeSide side, Worker worker) {
        this.side = side;
        this.worker = worker;
    }

    /** Worker: RTCP from the subscriber. */
    void onRtcp(RtcpCompound rtcp, long now) {
        if (lastRtcpNanos != 0 && now - lastRtcpNanos >= SILENCE_NANOS) onReturned(now);
        lastRtcpNanos = now;
        for (int i = 0; i < rtcp.packetCount(); i++) {
            if (rtcp.isPli(i)) {
                worker.counters.keyframeRequestsReceived++;
                Consumer c = consumerBySsrc(rtcp.mediaSsrc(i));
                if (c != null && c.active()) c.track.publisher.publishing.requestKeyframe(c.track, now);
            } else if (rtcp.isFir(i)) {
                worker.counters.keyframeRequestsReceived++;
                for (int k = 0; k < rtcp.firCount(i); k++) {
                    Consumer c = consumerBySsrc(rtcp.firSsrc(i, k));
                    if (c != null && c.active()) c.track.publisher.publishing.requestKeyframe(c.track, now);
                }
            } else if (rtcp.isNack(i)) {
                worker.counters.nacksReceived++;
                Consumer c = consumerBySsrc(rtcp.mediaSsrc(i));
                if (c != null && c.active() && c.track.cache != null) side.nacks.answer(c, rtcp, i, now);
            } else if (rtcp.isRemb(i)) {
                rembBps = rtcp.rembBitrate(i);
            } else if (rtcp.isTransportCc(i)) {
                transportCcFeedbacks++;
                side.estimate.onFeedback(rtcp, i, now);
            } else if (rtcp.packetType(i) == RtcpCompound.RR || rtcp.packetType(i) == RtcpCompound.SR) {
                for (int k = 0; k < rtcp.reportBlockCount(i); k++) {
                    Consumer c = consumerBySsrc(rtcp.blockSsrc(i, k));
                    if (c != null && c.ssrc == rtcp.blockSsrc(i, k)) {
                        c.onReceiverReport(rtcp.blockFractionLost(i, k), rtcp.blockCumulativeLost(i, k),
                                rtcp.blockJitter(i, k), rtcp.blockLastSr(i, k), rtcp.blockDelaySinceLastSr(i, k), now);
                    }
                }
            }
        }
    }

    /**
     * The subscriber is heard again after a silence: what the SFU forwarded meanwhile never arrived, and its decoders
     * cannot go on without a key frame. The receiver would ask for one itself only after its NACKs for the gap fail
     * (1-2 s in Chromium after a 10 s blackout, decoding nothing meanwhile), so the publishers of its video are asked
     * at once, as if it had sent a PLI for each (same rate limit per track).
     */
    private void onReturned(long now) {
        returns++;
        side.estimate.onReturned(now);
        for (Consumer c : List.copyOf(side.consumers)) {
            if (c.active() && c.track.keyframes != null) c.track.publisher.publishing.requestKeyframe(c.track, now);
        }
    }

    private Consumer consumerBySsrc(long ssrc) {
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.ssrc == ssrc || c.rtxSsrc == ssrc) return c;
        }
        return null;
    }

    /** Worker timer: sender reports for every started consumer, at the room's RTCP interval. */
    void tick(long now) {
        Endpoint sub = side.transports().subscribe;
        if (sub == null || !sub.connected || now - nextReportNanos < 0) return;
        nextReportNanos = now + TimeUnit.MILLISECONDS.toNanos(side.room().config.rtcpIntervalMillis());
        byte[] out = worker.out;
        int n = RtcpWriter.receiverReportHeader(out, 0, ssrc, 0);
        int inPacket = 0;
        long wallNtp = RtcpWriter.ntp(System.currentTimeMillis());
        for (Consumer c : side.consumers) {
            if (!c.started || c.packets == 0) continue;
            n += c.writeSenderReport(out, n, wallNtp, now);
            if (++inPacket == 30) {
                side.transports().sendRtcp(sub, out, n);
                n = RtcpWriter.receiverReportHeader(out, 0, ssrc, 0);
                inPacket = 0;
            }
        }
        if (inPacket > 0) side.transports().sendRtcp(sub, out, n);
    }
}
