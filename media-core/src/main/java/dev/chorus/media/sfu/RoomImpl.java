package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.sfu.rtcp.RetransmitCache;
import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.PayloadDescriptor;
import dev.chorus.media.speaker.ActiveSpeakerDetector;
import dev.chorus.media.transport.MediaChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A room on its worker: participants, their tracks, who receives what, and the forwarding loop. All state is
 * worker-confined; {@link Room} methods hand tasks over.
 */
final class RoomImpl implements Room {
    /** The source id a simulcast consumer maps its selector's output under (no SSRC is negative). */
    private static final long SIMULCAST_SOURCE = -2;
    final String id;
    final Worker worker;
    final Sfu sfu;
    final SfuConfig config;
    final LinkedHashMap<String, ParticipantImpl> participants = new LinkedHashMap<>();
    private volatile boolean closed;
    private long emptySinceNanos;
    /** Audio levels and active speaker changes go out at most this often (issue 18: ≤ every 300 ms). */
    static final long AUDIO_LEVEL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private final ActiveSpeakerDetector speaker = new ActiveSpeakerDetector(AUDIO_LEVEL_INTERVAL_NANOS);
    private long nextAudioLevelsNanos;
    private long nextRateSampleNanos;
    /** The room's data relay (issue 14): participants' data channel messages, under their data rights. */
    final dev.chorus.media.datarelay.DataRelay data;

    RoomImpl(String id, Worker worker, Sfu sfu) {
        this.id = id;
        this.worker = worker;
        this.sfu = sfu;
        this.config = sfu.config();
        this.emptySinceNanos = worker.clock.getAsLong();
        this.data = new dev.chorus.media.datarelay.DataRelay(dev.chorus.media.datarelay.DataLimits.defaults(), new DataEvents(),
                worker.dataCounters);
    }

    @Override public String id() { return id; }
    @Override public boolean isClosed() { return closed; }

    @Override
    public CompletableFuture<List<String>> participantIds() {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        worker.execute(() -> f.complete(List.copyOf(participants.keySet())));
        return f;
    }

    @Override
    public CompletableFuture<List<TrackInfo>> tracks() {
        CompletableFuture<List<TrackInfo>> f = new CompletableFuture<>();
        worker.execute(() -> {
            List<TrackInfo> all = new ArrayList<>();
            for (ParticipantImpl p : participants.values()) {
                for (Producer t : p.publishing.tracks.values()) all.add(t.info);
            }
            f.complete(List.copyOf(all));
        });
        return f;
    }

    @Override
    public CompletableFuture<RoomSnapshot> snapshot() {
        CompletableFuture<RoomSnapshot> f = new CompletableFuture<>();
        worker.execute(() -> {
            List<RoomSnapshot.ParticipantView> views = new ArrayList<>(participants.size());
            for (ParticipantImpl p : participants.values()) views.add(p.view());
            f.complete(new RoomSnapshot(id, views));
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> close(String reason) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        worker.execute(() -> {
            closeNow(reason);
            f.complete(null);
        });
        return f;
    }

    // ---- worker-confined ------------------------------------------------------------------------------------------

    /** Worker: adds a participant (replacing one with the same id) and subscribes it to what it may receive. */
    ParticipantImpl join(String participantId, MediaRights rights, ParticipantListener listener) {
        ParticipantImpl old = participants.get(participantId);
        if (old != null) leave(old, "replaced");
        ParticipantImpl p = new ParticipantImpl(participantId, this, rights, listener);
        participants.put(participantId, p);
        worker.participants++;
        for (ParticipantImpl other : participants.values()) {
            if (other == p) continue;
            for (Producer t : other.publishing.tracks.values()) {
                if (rights.mayReceive(t.info)) p.show(t, false);
            }
        }
        p.negotiate();
        return p;
    }

    /** Worker: a participant leaves; everyone else is told about its tracks. */
    void leave(ParticipantImpl p, String reason) {
        if (p.closed) return;
        p.leave();
        if (participants.get(p.id) == p) participants.remove(p.id);
        speaker.forget(p.id);
        worker.participants--;
        if (participants.isEmpty()) emptySinceNanos = worker.clock.getAsLong();
        p.listener.onClosed(reason);
    }

    /** Relay events reach the participant concerned: the audit of a refused sender, a receiver cut by overflow. */
    private final class DataEvents implements dev.chorus.media.datarelay.DataRelay.Events {
        @Override
        public void publishRefused(String participantId) {
            ParticipantImpl p = participants.get(participantId);
            if (p != null) p.listener.onDataPublishRefused();
        }

        @Override
        public void receiverOverflowed(String participantId) {
            ParticipantImpl p = participants.get(participantId);
            if (p != null) p.data.onOverflow();
        }
    }

    /** Worker: a new track; visible to its publisher and to everyone allowed to receive it. */
    void publish(Producer t) {
        worker.tracks++;
        t.publisher.listener.onTrackPublished(t.info);
        for (ParticipantImpl p : participants.values()) {
            if (p == t.publisher || p.closed) continue;
            if (p.rights.mayReceive(t.info)) p.show(t, true);
        }
    }

    /** Worker: a track ends; forwarding stops at once; everyone who saw it is told. */
    void unpublish(Producer t, UnpublishReason reason) {
        worker.tracks--;
        for (ParticipantImpl p : List.copyOf(participants.values())) {
            if (p != t.publisher) p.hide(t, reason);
        }
        t.dispose();
        Endpoint pub = t.publisher.transports.publish;
        if (pub != null && pub.link != null && !pub.closed) {
            if (t.ssrc >= 0) pub.link.forgetInboundSsrc(t.ssrc);
            if (t.rtxSsrc >= 0) pub.link.forgetInboundSsrc(t.rtxSsrc);
            for (int l = 0; t.simulcast != null && l < t.simulcast.layers; l++) {
                if (t.simulcast.ssrc(l) >= 0) pub.link.forgetInboundSsrc(t.simulcast.ssrc(l));
            }
        }
        t.publisher.listener.onTrackUnpublished(t.info, reason);
    }

    /** Worker: mute state changed. */
    void trackUpdated(Producer t) {
        t.publisher.listener.onTrackUpdated(t.info);
        for (ParticipantImpl p : participants.values()) {
            if (p.subscribing.visible.contains(t)) p.listener.onTrackUpdated(t.info);
        }
    }

    /** Worker: {@code p}'s rights changed: drop what it may no longer receive, add what it now may. */
    void refreshSubscriptions(ParticipantImpl p) {
        for (Producer t : List.copyOf(p.subscribing.visible)) {
            if (!p.rights.mayReceive(t.info)) p.hide(t, UnpublishReason.SUBSCRIBE_RIGHTS_REVOKED);
        }
        for (ParticipantImpl other : participants.values()) {
            if (other == p) continue;
            for (Producer t : other.publishing.tracks.values()) {
                if (p.rights.mayReceive(t.info)) p.show(t, false);
            }
        }
        p.negotiate();
    }

    /**
     * Worker, per packet: forwards one plaintext packet of {@code t} to each consumer: restore the original header,
     * rewrite it for the consumer, protect with the consumer's transport and queue (flushed once per drain).
     */
    void forward(Producer t, RtpPacket rtp, int layer, long now) {
        Consumer[] consumers = t.consumers;
        SimulcastLayers sc = t.simulcast;
        PayloadDescriptor payload = null;
        int pictureId = 0;
        int tl0 = 0;
        if (sc != null) {
            // The track codec's half of layer selection (VP8, VP9 or H.264 payloads).
            payload = worker.descriptor(t.codec);
            if (rtp.payloadLength() == 0) {
                worker.counters.drop(SfuDropReason.RTX_PADDING);
                return;
            }
            if (!payload.parse(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
                worker.counters.drop(SfuDropReason.MALFORMED);
                return;
            }
            sc.onMedia(layer, payload, rtp.length(), now);
            pictureId = payload.pictureId();
            tl0 = payload.tl0PicIdx();
        }
        if (consumers.length == 0) return;
        boolean video = t.info.kind().isVideo();
        byte[] buf = rtp.buffer();
        int off = rtp.offset();
        int len = rtp.length();
        int hl = rtp.headerLength();
        byte[] saved = worker.savedHeader;
        System.arraycopy(buf, off, saved, 0, hl);
        long srcSsrc = rtp.ssrc();
        int seq = rtp.sequenceNumber();
        long ts = rtp.timestamp();
        SfuCounters counters = worker.counters;
        boolean dirty = false;
        for (Consumer c : consumers) {
            // Simulcast: most consumers of a packet take another layer; skip them before the subscriber's transport.
            if (sc != null && c.layers().selector.ignores(layer)) continue;
            if (!c.active()) continue;
            if (dirty) {
                // The previous consumer's rewrite is undone (a selector that drops a packet leaves it as it was).
                System.arraycopy(saved, 0, buf, off, hl);
                if (payload != null) {
                    payload.setPictureId(pictureId);
                    payload.setTl0PicIdx(tl0);
                }
                dirty = false;
            }
            int outSeq;
            long outTs;
            if (sc == null) {
                outSeq = c.mapSequence(srcSsrc, seq, ts, now);
                outTs = c.mapTimestamp(ts);
            } else {
                if (!select(t, c, layer, rtp, payload, now)) continue;
                dirty = true;
                outSeq = c.mapSequence(SIMULCAST_SOURCE, rtp.sequenceNumber(), rtp.timestamp(), now);
                outTs = c.mapTimestamp(rtp.timestamp());
                c.layers().recordSent(outSeq, layer, seq, outTs, payload.pictureId(), payload.tl0PicIdx());
            }
            int twcc = c.rewrite(rtp, c.ssrc, outSeq, outTs, c.payloadType);
            dirty = true;
            SubscribeSide to = c.subscriber.subscribing;
            MediaChannel link = c.subscriber.transports.subscribe.link;
            // Video through the subscriber's pacer (bursts spread at 2.5 × its estimate); audio never waits.
            boolean sent;
            if (video) {
                sent = to.pacer.send(link, buf, off, len, twcc, now);
            } else {
                sent = link.send(buf, off, len, false);
                if (sent) to.estimate.onSent(twcc, len, now);
            }
            if (sent) {
                c.packets++;
                c.octets += len - hl;
                c.subscriber.subscribing.packetsReceived++;
                counters.packetsForwarded++;
                counters.bytesForwarded += len;
                worker.sentSomething = true;
            } else {
                counters.sendFailures++;
            }
        }
    }

    /**
     * Issue 12, per consumer of a simulcast packet: the consumer's selector picks its layer and splices it into one
     * continuous stream (its own sequence, timestamp and picture id space; the consumer then maps that onto its SSRC).
     * True when the packet was accepted and rewritten in place; false leaves it untouched, so the next consumer need
     * not restore it (with subscribers spread over the layers, most consumers of a packet drop it).
     */
    private boolean select(Producer t, Consumer c, int layer, RtpPacket rtp, PayloadDescriptor payload, long now) {
        LayerSelector selector = c.layers().selector;
        int before = selector.currentSpatial();
        boolean accepted = selector.accept(layer, rtp, payload, now);
        if (before != LayerSelector.NONE && selector.currentSpatial() != before) worker.counters.layerSwitches++;
        if (selector.keyframeNeeded()) t.publisher.publishing.requestKeyframe(t, selector.targetSpatial(), now);
        return accepted;
    }

    /** Worker: retransmits a cached packet to one consumer, as RTX (RFC 4588) when negotiated. */
    boolean retransmit(Consumer c, int slot) {
        return retransmit(c, c.track.cache, slot, -1);
    }

    /**
     * Like {@link #retransmit(Consumer, int)} from {@code cache}; {@code sentSlot} ≥ 0 names the entry of a simulcast
     * consumer's sent log ({@link ConsumerLayers}) whose sequence number, timestamp and picture id the copy gets.
     */
    boolean retransmit(Consumer c, RetransmitCache cache, int slot, int sentSlot) {
        return retransmit(c, cache, slot, sentSlot, false);
    }

    /**
     * Like {@link #retransmit(Consumer, RetransmitCache, int, int)}; {@code probe} true when the copy is a bandwidth
     * probe's packet rather than a NACK's answer (the subscriber's estimator counts the two apart).
     */
    boolean retransmit(Consumer c, RetransmitCache cache, int slot, int sentSlot, boolean probe) {
        byte[] src = cache.data(slot);
        int len = cache.length(slot);
        RtpPacket rtp = worker.rtp;
        byte[] out = worker.out;
        if (rtp.wrap(src, 0, len) != RtpStatus.OK) return false;
        int hl = rtp.headerLength();
        int seqOut;
        long tsOut;
        ConsumerLayers cl = sentSlot >= 0 ? c.layers : null;
        if (cl != null) {
            seqOut = cl.sentOutSeq(sentSlot);
            tsOut = cl.sentTimestamp(sentSlot);
        } else {
            seqOut = (rtp.sequenceNumber() + c.seqOffset) & 0xFFFF;
            tsOut = c.mapTimestamp(rtp.timestamp());
        }
        int n;
        int twcc;
        if (c.rtxPayloadType >= 0) {
            System.arraycopy(src, 0, out, 0, hl);
            out[hl] = (byte) (seqOut >>> 8);
            out[hl + 1] = (byte) seqOut;
            System.arraycopy(src, hl, out, hl + 2, len - hl);
            n = len + 2;
            if (rtp.wrap(out, 0, n) != RtpStatus.OK) return false;
            int rtxSeq = c.rtxSeq;
            c.rtxSeq = (rtxSeq + 1) & 0xFFFF;
            if (cl != null && !rewritePicture(c, cl, sentSlot, out, rtp.payloadOffset() + 2, rtp.payloadLength() - 2)) {
                return false;
            }
            twcc = c.rewrite(rtp, c.rtxSsrc, rtxSeq, tsOut, c.rtxPayloadType);
        } else {
            System.arraycopy(src, 0, out, 0, len);
            n = len;
            if (rtp.wrap(out, 0, n) != RtpStatus.OK) return false;
            if (cl != null && !rewritePicture(c, cl, sentSlot, out, rtp.payloadOffset(), rtp.payloadLength())) return false;
            twcc = c.rewrite(rtp, c.ssrc, seqOut, tsOut, c.payloadType);
        }
        MediaChannel link = c.subscriber.transports.subscribe.link;
        boolean queued = c.rtxPayloadType >= 0 ? link.send(out, 0, n, false)
                : link.sendRetransmission(out, 0, n, c.rocOf(seqOut));
        if (queued) {
            SubscriberEstimate estimate = c.subscriber.subscribing.estimate;
            if (probe) estimate.onProbeCopySent(twcc, n, worker.clock.getAsLong());
            else estimate.onRetransmissionSent(twcc, n, worker.clock.getAsLong());
            worker.sentSomething = true;
            worker.counters.packetsForwarded++;
            worker.counters.bytesForwarded += n;
            c.subscriber.subscribing.packetsReceived++;
            return true;
        }
        worker.counters.sendFailures++;
        return false;
    }

    /** The picture id and TL0PICIDX the subscriber saw in the original of a retransmitted simulcast packet. */
    private boolean rewritePicture(Consumer c, ConsumerLayers cl, int sentSlot, byte[] buf, int payloadOffset, int payloadLength) {
        PayloadDescriptor payload = worker.descriptor(c.track.codec);
        if (!payload.parse(buf, payloadOffset, payloadLength)) return false;
        payload.setPictureId(cl.sentPictureId(sentSlot));
        payload.setTl0PicIdx(cl.sentTl0(sentSlot));
        return true;
    }

    /** Worker timer: RTCP of every participant; closes the room after the empty grace period. */
    void tick(long now) {
        if (closed) return;
        for (ParticipantImpl p : participants.values()) p.tick(now);
        if (now - nextRateSampleNanos >= 0) {
            nextRateSampleNanos = now + BitrateSampler.INTERVAL_NANOS;
            sampleRates(now);
        }
        if (now - nextAudioLevelsNanos >= 0) {
            nextAudioLevelsNanos = now + AUDIO_LEVEL_INTERVAL_NANOS;
            reportAudioLevels(now);
        }
        if (participants.isEmpty()
                && now - emptySinceNanos >= TimeUnit.MILLISECONDS.toNanos(config.emptyRoomGraceMillis())) {
            closeNow("empty");
        }
    }

    /**
     * Worker, every {@link #AUDIO_LEVEL_INTERVAL_NANOS}: each participant's level (its loudest audio track), the
     * active speaker, and to each participant the levels it may know: its own and those of the participants whose
     * audio it receives (a track it may not receive is never revealed, not even by its loudness).
     */
    private void reportAudioLevels(long now) {
        Map<String, Double> levels = new HashMap<>();
        for (ParticipantImpl p : participants.values()) {
            double level = 0;
            boolean hasAudio = false;
            for (Producer t : p.publishing.tracks.values()) {
                if (t.audioLevel == null) continue;
                hasAudio = true;
                if (!t.info.muted()) level = Math.max(level, t.audioLevel.level(now));
            }
            if (hasAudio) levels.put(p.id, Math.round(level * 100) / 100.0);
        }
        String changed = speaker.update(levels, now);
        for (ParticipantImpl p : participants.values()) {
            if (p.closed) continue;
            Map<String, Double> visible = new HashMap<>();
            boolean seesSpeaker = changed != null && changed.equals(p.id);
            Double own = levels.get(p.id);
            if (own != null) visible.put(p.id, own);
            for (Producer t : p.subscribing.visible) {
                if (t.audioLevel == null) continue;
                Double l = levels.get(t.publisher.id);
                if (l != null) visible.put(t.publisher.id, l);
                if (changed != null && changed.equals(t.publisher.id)) seesSpeaker = true;
            }
            if (seesSpeaker) p.listener.onActiveSpeaker(changed);
            boolean audible = false;
            for (double l : visible.values()) audible |= l > 0;
            if (audible || p.reportedAudible) p.listener.onAudioLevels(Map.copyOf(visible));
            p.reportedAudible = audible;
        }
    }

    /** Worker timer, once a second: the rates snapshots report (what arrives per track, what goes to each receiver). */
    private void sampleRates(long now) {
        for (ParticipantImpl p : participants.values()) {
            for (Producer t : p.publishing.tracks.values()) {
                t.rate.sample(t.bytesIn, now);
                SimulcastLayers sc = t.simulcast;
                if (sc != null) {
                    for (int l = 0; l < sc.layers; l++) sc.rates[l].sample(sc.bytes[l], now);
                    sc.sampleTemporal(now);
                }
                for (Consumer c : t.consumers) c.rate.sample(c.octets, now);
            }
        }
    }

    /** Worker: closes every participant and forgets the room. */
    void closeNow(String reason) {
        if (closed) return;
        for (ParticipantImpl p : List.copyOf(participants.values())) leave(p, reason);
        closed = true;
        sfu.forget(this);
    }

    @Override
    public String toString() {
        return "Room[" + id + "]";
    }
}
