package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.sfu.rtcp.KeyframeRequester;
import dev.chorus.media.sfu.rtcp.NackGenerator;
import dev.chorus.media.sfu.rtcp.ReceiveStats;
import dev.chorus.media.sfu.rtcp.RetransmitCache;
import dev.chorus.media.speaker.AudioLevelMeter;
import java.util.concurrent.TimeUnit;

/**
 * One published track (mediasoup's Producer): its SSRCs and payload types, the receive side of its packets (RTX
 * unwrapping, receive statistics for receiver reports, the retransmission cache that answers subscribers' NACKs,
 * keyframe requests towards the publisher) and its consumers. Owner: the room's worker thread.
 */
final class Producer {
    private static final Consumer[] NONE = new Consumer[0];

    final ParticipantImpl publisher;
    final String mid;
    TrackInfo info;
    long ssrc = -1;
    long rtxSsrc = -1;
    int payloadType = -1;
    int rtxPayloadType = -1;
    int clockRate;
    /** Video: the codec the publisher's section negotiated (what layer selection parses); null for audio. */
    dev.chorus.media.simulcast.VideoCodec codec;
    /** Video: the fmtp of that codec as negotiated (subscribers are offered exactly it), or null. */
    String fmtp;
    /** The header extensions negotiated on the track's section of the publish transport. */
    SectionExtensions extensions = SectionExtensions.NONE;
    final ReceiveStats stats;
    /** Video only: plaintext of recent packets for NACKs (bounded in packets and age). */
    final RetransmitCache cache;
    /** Video only: PLIs to the publisher, deduplicated and rate-limited. */
    final KeyframeRequester keyframes;
    /** Video only: the SFU's own NACKs for holes in the single stream (a simulcast track has one per layer). */
    final NackGenerator nacks;
    /** Copy-on-write array: iterated per packet, changed rarely. */
    Consumer[] consumers = NONE;
    /** Audio tracks: the smoothed RFC 6464 level (active speaker detection); null for video. */
    final AudioLevelMeter audioLevel;
    /** The publisher's id of the audio-level extension in this track's m-section (per section: BUNDLE ids may differ), or 0. */
    int audioLevelId;
    long packetsIn;
    long bytesIn;
    /** Arriving rate, sampled by the room's timer (snapshots). */
    final BitrateSampler rate = new BitrateSampler();
    /** Simulcast video (issue 12): the layers by rid, or null for a single stream. */
    SimulcastLayers simulcast;

    Producer(ParticipantImpl publisher, String mid, TrackInfo info, int clockRate, SfuConfig config) {
        this.publisher = publisher;
        this.mid = mid;
        this.info = info;
        this.clockRate = clockRate;
        this.stats = new ReceiveStats(clockRate);
        boolean video = info.kind().isVideo();
        this.cache = video ? new RetransmitCache(config.retransmitCachePackets(),
                TimeUnit.MILLISECONDS.toNanos(config.retransmitCacheMillis())) : null;
        this.keyframes = video ? new KeyframeRequester(TimeUnit.MILLISECONDS.toNanos(config.keyframeMinIntervalMillis())) : null;
        this.nacks = video ? new NackGenerator() : null;
        this.audioLevel = video ? null : new AudioLevelMeter();
        this.codec = video ? dev.chorus.media.simulcast.VideoCodec.VP8 : null;
    }

    /** Applies a (re)negotiated description of the track; consumers re-map the extension ids. */
    void configure(PublishNegotiation.TrackSpec spec, SectionExtensions negotiated) {
        ssrc = spec.ssrc();
        rtxSsrc = spec.rtxSsrc();
        payloadType = spec.payloadType();
        rtxPayloadType = spec.rtxPayloadType();
        if (spec.codec() != null) codec = spec.codec();
        fmtp = spec.fmtp();
        extensions = negotiated;
        if (spec.simulcast() == null) {
            simulcast = null;
        } else if (simulcast == null || !simulcast.offer.equals(spec.simulcast())) {
            simulcast = new SimulcastLayers(spec.simulcast(), clockRate, publisher.room.config);
            for (Consumer c : consumers) if (c.layers != null) c.layers.reportedWanted = -1; // a fresh demand
        }
        audioLevelId = negotiated.idOf(SectionExtensions.AUDIO_LEVEL_URI);
        for (Consumer c : consumers) c.mapExtensions();
    }

    /**
     * Per packet: RFC 4588 — the publisher repaired a loss towards us. Unwraps {@code rtp} in place to the original
     * packet; returns why it is not forwarded (payload-less RTX is bandwidth probing, and Chromium also probes with
     * RTX copies of packets that did arrive), or null.
     */
    SfuDropReason unwrapRtx(RtpPacket rtp, long now) {
        return unwrapRtx(rtp, now, cache, ssrc);
    }

    /** {@link #unwrapRtx(RtpPacket, long)} for one stream of the track: its cache and media SSRC (simulcast layers). */
    SfuDropReason unwrapRtx(RtpPacket rtp, long now, RetransmitCache cache, long ssrc) {
        if (rtp.payloadType() != rtxPayloadType || rtp.payloadLength() < 2) return SfuDropReason.RTX_PADDING;
        byte[] b = rtp.buffer();
        int po = rtp.payloadOffset();
        int osn = ((b[po] & 0xFF) << 8) | (b[po + 1] & 0xFF);
        if (cache != null && cache.find(osn, now) >= 0) return SfuDropReason.RTX_DUPLICATE;
        int tail = rtp.offset() + rtp.length() - (po + 2);
        System.arraycopy(b, po + 2, b, po, tail);
        if (rtp.wrap(b, rtp.offset(), rtp.length() - 2) != RtpStatus.OK) return SfuDropReason.MALFORMED;
        rtp.setSequenceNumber(osn);
        rtp.setSsrc(ssrc);
        rtp.setPayloadType(payloadType);
        return null;
    }

    /** Per packet: counts an accepted packet (receive statistics only for the primary stream). */
    void onReceived(RtpPacket rtp, boolean repaired, int layer, long now) {
        packetsIn++;
        bytesIn += rtp.length();
        if (repaired) return;
        if (simulcast != null) simulcast.stats[layer].onPacket(rtp.sequenceNumber(), rtp.timestamp(), now);
        else stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), now);
    }

    void addConsumer(Consumer c) {
        Consumer[] next = java.util.Arrays.copyOf(consumers, consumers.length + 1);
        next[consumers.length] = c;
        consumers = next;
    }

    void removeConsumer(Consumer c) {
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i] == c) {
                Consumer[] next = new Consumer[consumers.length - 1];
                System.arraycopy(consumers, 0, next, 0, i);
                System.arraycopy(consumers, i + 1, next, i, consumers.length - i - 1);
                consumers = next;
                return;
            }
        }
    }

    Consumer consumerOf(ParticipantImpl subscriber) {
        for (Consumer c : consumers) {
            if (c.subscriber == subscriber) return c;
        }
        return null;
    }

    /** This track and its receivers in a snapshot (worker). */
    RoomSnapshot.TrackView view() {
        java.util.List<RoomSnapshot.ReceiverView> receivers = new java.util.ArrayList<>(consumers.length);
        for (Consumer c : consumers) receivers.add(c.view());
        return new RoomSnapshot.TrackView(info.trackId(), info.kind(), info.muted(), rate.bps(), packetsIn, receivers);
    }

    /** Ends the track: plaintext in the cache is wiped. */
    void dispose() {
        consumers = NONE;
        if (cache != null) cache.clear();
        if (simulcast != null) simulcast.clear();
    }
}
