package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.sfu.rtcp.RtcpWriter;

/**
 * One subscriber's view of one published track (mediasoup's Consumer): its own SSRCs, payload types and the
 * offsets that turn the publisher's sequence numbers and timestamps into a continuous stream for this subscriber.
 * The offsets are re-based whenever the source SSRC changes (publisher restart or renegotiation), so the
 * subscriber's sequence never jumps or repeats. It rewrites each forwarded header and writes its stream's sender reports. Owner: the
 * room's worker thread.
 */
final class Consumer {
    /** Header extension ids in the SFU's subscriber offers ({@link dev.chorus.media.sdp.SdpOfferBuilder}). */
    static final int SUB_EXT_AUDIO_LEVEL = 1;
    static final int SUB_EXT_ABS_SEND_TIME = 2;
    static final int SUB_EXT_TRANSPORT_CC = 3;

    final ParticipantImpl subscriber;
    final Producer track;
    final long ssrc;
    final long rtxSsrc;
    final int payloadType;
    int rtxPayloadType = -1;
    /** The subscriber's answer accepted this consumer's section. */
    boolean negotiated;
    /** Forwarding began (a keyframe was requested for it). */
    boolean started;
    boolean removed;

    private long sourceSsrc = -1;
    /** SRTP rollover counter of this stream: wraps of its sequence number. */
    private int roc;
    int seqOffset;
    long tsOffset;
    private boolean haveOut;
    private int lastSeq;
    private long lastTs;
    private long lastOutNanos;
    int rtxSeq;
    long packets;
    long octets;
    int fractionLost;
    /** Receive statistics the subscriber reports for this stream ({@link #onReceiverReport}); for snapshots. */
    boolean reported;
    long packetsLost;
    long jitterUnits;
    /** Round trip measured from the last report that echoed our last sender report, in ns (-1: none yet). */
    long rttNanos = -1;
    /**
     * The middle 32 bits of the NTP time of our last {@value #SR_HISTORY} sender reports and when each was written (RTT,
     * RFC 3550 6.4.1): a report may answer the one before the latest.
     */
    private static final int SR_HISTORY = 4;
    private final long[] srCompact = {-1, -1, -1, -1};
    private final long[] srNanos = new long[SR_HISTORY];
    private int srNext;
    /** Forwarded payload rate, sampled by the room's timer. */
    final BitrateSampler rate = new BitrateSampler();
    /** The header extensions of the subscriber's answer to this consumer's section. */
    SectionExtensions answered = SectionExtensions.NONE;
    /** Publisher's extension id → the subscriber's (0: not forwarded); see {@link #mapExtensions()}. */
    final byte[] extensionIds = new byte[256];
    /** The subscriber's transport-cc id on this section (0: none). */
    int transportCcId;
    /** This consumer's key in its subscriber's bandwidth allocation (made once). */
    private String bandwidthKey;
    /** Simulcast tracks (issue 12): layer choice and splicing for this subscriber; null for a single stream. */
    ConsumerLayers layers;

    Consumer(ParticipantImpl subscriber, Producer track, long ssrc, long rtxSsrc, int payloadType, int firstSeq,
             long firstTs) {
        this.subscriber = subscriber;
        this.track = track;
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.payloadType = payloadType;
        this.lastSeq = (firstSeq - 1) & 0xFFFF;
        this.lastTs = firstTs;
        this.rtxSeq = firstSeq ^ 0x5A5A;
    }

    /** The simulcast state, created when the track is (or became, by renegotiation) simulcast. */
    ConsumerLayers layers() {
        if (layers == null && track.simulcast != null) layers = new ConsumerLayers(track.clockRate);
        return layers;
    }

    String bandwidthKey() {
        if (bandwidthKey == null) bandwidthKey = track.info.participantId() + "/" + track.info.trackId() + "/" + ssrc;
        return bandwidthKey;
    }

    /** Forwarding is on: negotiated, the subscriber's transport connected, not removed. */
    boolean active() {
        return negotiated && !removed && subscriber.transports.subscribeConnected();
    }

    /** Updates the offsets for a packet of the source and returns its sequence number in this stream. */
    int mapSequence(long sourceSsrc, int seq, long ts, long nowNanos) {
        if (sourceSsrc != this.sourceSsrc) {
            // Continue right after what the subscriber saw last, whatever the new source's numbering.
            long elapsedTicks = haveOut ? Math.max(1, (nowNanos - lastOutNanos) / 1000 * track.clockRate / 1_000_000) : 0;
            seqOffset = (lastSeq + 1 - seq) & 0xFFFF;
            tsOffset = (lastTs + elapsedTicks - ts) & 0xFFFFFFFFL;
            this.sourceSsrc = sourceSsrc;
        }
        int out = (seq + seqOffset) & 0xFFFF;
        long outTs = (ts + tsOffset) & 0xFFFFFFFFL;
        if (!haveOut || ((out - lastSeq) & 0xFFFF) < 0x8000) {
            if (haveOut && out < lastSeq) roc++;
            lastSeq = out;
            lastTs = outTs;
        }
        haveOut = true;
        lastOutNanos = nowNanos;
        return out;
    }

    long mapTimestamp(long ts) {
        return (ts + tsOffset) & 0xFFFFFFFFL;
    }

    /** The publisher's sequence number of a sequence number of this stream (for NACKs). */
    int sourceSequence(int seq) {
        return (seq - seqOffset) & 0xFFFF;
    }

    /** Rollover counter of an already sent sequence number (one before or at the latest). */
    int rocOf(int seq) {
        return seq > lastSeq && roc > 0 ? roc - 1 : roc;
    }

    /** The last sequence number of this stream sent (probes re-send recent packets as RTX). */
    int lastSequence() {
        return lastSeq;
    }

    long lastTimestamp() {
        return lastTs;
    }

    /**
     * Writes this stream's sender report at {@code off}; returns its length. Keeps the publisher's NTP↔RTP mapping
     * when it sent one (lip sync between its audio and video), the wall clock and the last timestamp otherwise.
     */
    int writeSenderReport(byte[] out, int off, long wallNtp, long now) {
        long ntp;
        long rtpTs;
        Producer t = track;
        if (t.stats.haveSenderReport()) {
            long elapsed = now - t.stats.senderReportArrivalNanos();
            ntp = t.stats.senderReportNtp() + (long) (elapsed * 4.294967296);
            rtpTs = mapTimestamp(t.stats.senderReportRtp() + elapsed / 1000 * t.clockRate / 1_000_000);
        } else {
            ntp = wallNtp;
            rtpTs = lastTs;
        }
        srCompact[srNext] = (ntp >>> 16) & 0xFFFFFFFFL;
        srNanos[srNext] = now;
        srNext = (srNext + 1) % SR_HISTORY;
        return RtcpWriter.senderReport(out, off, ssrc, ntp, rtpTs, packets, octets);
    }

    /**
     * A report block of the subscriber about this stream: loss, jitter, and the round trip when the block echoes the
     * sender reports we wrote (LSR), which is this SFU's own clock whatever NTP time the report carried.
     */
    void onReceiverReport(int fraction, long cumulativeLost, long jitter, long lsr, long dlsr, long now) {
        reported = true;
        fractionLost = fraction;
        packetsLost = cumulativeLost;
        jitterUnits = jitter;
        if (lsr == 0) return;
        for (int i = 0; i < SR_HISTORY; i++) {
            if (srCompact[i] != lsr) continue;
            long rtt = now - srNanos[i] - dlsr * 1_000_000_000L / 65536;
            if (rtt >= 0) rttNanos = rtt;
            return;
        }
    }

    /**
     * What this consumer forwards of a layered track; null while the track has no layers (the whole stream is
     * forwarded). Simulcast/SVC selection reports its current spatial and temporal layer here.
     */
    RoomSnapshot.ForwardedLayer forwardedLayer() {
        if (layers == null || track.simulcast == null) return null;
        int spatial = layers.selector.currentSpatial();
        // Nothing forwarded yet, or paused: the layer is "none" (-1), not the whole stream (null).
        if (spatial == dev.chorus.media.simulcast.LayerSelector.NONE) return new RoomSnapshot.ForwardedLayer(-1, -1, null);
        int temporal = layers.selector.currentTemporal();
        return new RoomSnapshot.ForwardedLayer(spatial, temporal == Integer.MAX_VALUE ? -1 : temporal,
                track.simulcast.streams.rid(spatial));
    }

    /** This consumer in a snapshot (worker). */
    RoomSnapshot.ReceiverView view() {
        int clock = track.clockRate > 0 ? track.clockRate : 90_000;
        return new RoomSnapshot.ReceiverView(subscriber.id, active(), forwardedLayer(), rate.bps(), packets,
                reported ? fractionLost / 256.0 : -1, reported ? packetsLost : -1,
                reported ? jitterUnits * 1000.0 / clock : -1, rttNanos < 0 ? -1 : rttNanos / 1e6);
    }

    /**
     * Recomputes publisher id → subscriber id for the extensions both sides negotiated on this consumer's sections
     * (the producer's section and the subscriber's answer to its slot). Negotiation time only.
     */
    void mapExtensions() {
        SectionExtensions pub = track.extensions;
        SectionExtensions sub = answered;
        for (int id = 1; id < 256; id++) {
            String uri = pub.uri(id);
            extensionIds[id] = uri == null || !SectionExtensions.forwardable(uri) ? 0 : (byte) sub.idOf(uri);
        }
        transportCcId = sub.idOf(SectionExtensions.TWCC_URI);
    }

    /**
     * Rewrites the header in place for this subscriber: SSRC, sequence number, timestamp, payload type, and the
     * header extensions: each one both sides negotiated gets the subscriber's id with its bytes unchanged (known or
     * not); the others, and mid, become padding; transport-cc gets the subscriber transport's own sequence number.
     *
     * @return the transport-wide sequence number written (the caller records the send for the estimator), or -1
     */
    int rewrite(RtpPacket rtp, long ssrcOut, int seqOut, long tsOut, int ptOut) {
        rtp.setSsrc(ssrcOut);
        rtp.setSequenceNumber(seqOut);
        rtp.setTimestamp(tsOut);
        rtp.setPayloadType(ptOut);
        int extOff = rtp.extensionOffset();
        if (extOff < 0) return -1;
        byte[] b = rtp.buffer();
        int end = extOff + rtp.extensionLength();
        int profile = rtp.extensionProfile();
        boolean oneByte = profile == RtpPacket.PROFILE_ONE_BYTE;
        if (!oneByte && (profile & RtpPacket.PROFILE_TWO_BYTE_MASK) != RtpPacket.PROFILE_TWO_BYTE) return -1;
        int written = -1;
        byte[] map = extensionIds;
        int p = extOff;
        while (p < end) {
            int h = b[p] & 0xFF;
            if (h == 0) {
                p++;
                continue;
            }
            int id;
            int len;
            int data;
            if (oneByte) {
                id = h >>> 4;
                if (id == 15) break;
                len = (h & 0x0F) + 1;
                data = p + 1;
            } else {
                id = h;
                len = b[p + 1] & 0xFF;
                data = p + 2;
            }
            int sid = map[id] & 0xFF;
            // A one-byte element cannot carry an id above 14: such an extension is dropped, not mislabelled.
            if (sid != 0 && (!oneByte || sid < 15)) {
                if (oneByte) b[p] = (byte) ((sid << 4) | (len - 1));
                else b[p] = (byte) sid;
                if (sid == transportCcId && len >= 2) {
                    int twcc = subscriber.subscribing.nextTransportCcSequence();
                    b[data] = (byte) (twcc >>> 8);
                    b[data + 1] = (byte) twcc;
                    written = twcc;
                }
            } else {
                java.util.Arrays.fill(b, p, data + len, (byte) 0);
            }
            p = data + len;
        }
        return written;
    }
}
