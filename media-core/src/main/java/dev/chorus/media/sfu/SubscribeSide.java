package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpOfferBuilder;
import dev.chorus.media.sfu.rtcp.RtcpWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a participant receives, on its subscribe transport: the consumers, the sections (slots) of the SFU's offers
 * and the offer/answer cycle that keeps them in step, the tracks announced to it, and the RTCP of the subscriber
 * (keyframe requests, NACKs, estimates, reports) and to it (sender reports). Owner: the room's worker thread; the
 * SDP itself is read and written by {@link SubscribeNegotiation}.
 */
final class SubscribeSide {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribeSide.class);

    private final ParticipantImpl participant;
    private final RoomImpl room;
    private final Worker worker;
    private final TransportPair transports;

    private final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    /** Versions of the offers sent, and which one is outstanding: which offer an answer answers. */
    private final SubscriberOfferVersions versions = new SubscriberOfferVersions();
    final List<Slot> slots = new ArrayList<>();
    final List<Consumer> consumers = new ArrayList<>();
    /** Other participants' tracks announced to this one (identity set): a superset of its consumers' tracks. */
    final Set<Producer> visible = new HashSet<>();
    private List<Slot.Offered> outstandingOffer;
    /** The subscription changed since the last offer. */
    private boolean changed;
    private boolean refusalLogged;
    private boolean reuseDeclinedLogged;
    final SubscribeExtensionIds extensionIds = new SubscribeExtensionIds();
    private int transportCcSequence = ThreadLocalRandom.current().nextInt(0x10000);
    final long rtcpSsrc = ParticipantImpl.randomSsrc();
    private long nextRtcpNanos;
    final NackResponder nacks;
    /** Issue 12: which simulcast layer each consumer gets. */
    final SubscriberLayers layerChoice = new SubscriberLayers(this);
    /** Issue 12: send-side bandwidth estimation of this subscriber and the allocation of its tracks. */
    final SubscriberEstimate estimate;
    /** Issue 12: paces this subscriber's video egress at a multiple of its estimate. */
    final EgressPacer pacer;
    long packetsReceived;
    /**
     * RTCP from a subscriber that receives video comes at least every second or so (receiver reports; transport-cc
     * feedback far more often). A silence this long means its path was cut (a blackout, a network change); see
     * {@link #onReturned}.
     */
    static final long RTCP_SILENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);
    /** When the subscriber's last RTCP arrived (0: none yet). */
    private long lastRtcpNanos;
    /** Times the subscriber's RTCP came back after a silence (each asked its videos' publishers for key frames). */
    long returns;
    /** The subscriber's last REMB (stacks without transport-cc), 0 if none. */
    long estimatedBps;
    long transportCcFeedbacks;

    /**
     * A section of the subscriber offer; reused by a later track of the same media type once free, unless the
     * subscriber declined such a reuse (then {@link #retired}).
     */
    static final class Slot {
        final String mid;
        final boolean video;
        Consumer consumer;
        /** The subscriber's last answer to this section had no track in it: its transceiver there is inactive. */
        boolean idle;
        /**
         * The subscriber declined this section when it was reused for a new track: some stacks cannot re-activate
         * an inactive transceiver (GStreamer's webrtcbin 1.22: "transceiver direction changes are not
         * implemented"), so the section stays inactive for good and later tracks get fresh sections.
         */
        boolean retired;

        Slot(String mid, boolean video) {
            this.mid = mid;
            this.video = video;
        }

        record Offered(Slot slot, Consumer consumer) { }
    }

    SubscribeSide(ParticipantImpl participant, TransportPair transports) {
        this.participant = participant;
        this.room = participant.room;
        this.worker = participant.worker;
        this.transports = transports;
        this.nacks = new NackResponder(room, worker.clock.getAsLong());
        this.estimate = new SubscriberEstimate(this, worker);
        this.pacer = new EgressPacer(this, worker);
    }

    TransportPair transports() { return transports; }
    ParticipantImpl participant() { return participant; }
    Sfu sfu() { return room.sfu; }
    RoomImpl room() { return room; }
    SfuCounters counters() { return worker.counters; }

    /** The subscriber's downlink estimate: the send-side one once it sends transport-cc feedback, else its REMB (0: none). */
    long downlinkEstimateBps() {
        return estimate.estimator.feedbacks() > 0 ? estimate.estimator.estimateBps() : estimatedBps;
    }

    long now() {
        return worker.clock.getAsLong();
    }

    int nextTransportCcSequence() {
        int s = transportCcSequence;
        transportCcSequence = (s + 1) & 0xFFFF;
        return s;
    }

    /** Like {@link ParticipantImpl#subscribe}; without {@code negotiateNow} the caller calls {@link #negotiate()}. */
    void subscribe(Producer t, boolean negotiateNow) {
        if (t.consumerOf(participant) != null) return;
        boolean video = t.info.kind().isVideo();
        // Each forwarded stream needs SRTP contexts on the subscribe transport (one SSRC, two with RTX); beyond the
        // transport's bound protection would fail for every packet, so the track is not offered (and counted).
        int ssrcs = video ? 2 : 1;
        for (Consumer existing : consumers) ssrcs += existing.rtxSsrc >= 0 ? 2 : 1;
        if (ssrcs > room.sfu.maxStreamsPerTransport()) {
            worker.counters.subscriptionsOverCapacity++;
            return;
        }
        Consumer c = newConsumer(t);
        Slot slot = null;
        for (Slot s : slots) {
            if (s.consumer == null && s.video == video && !s.retired && !inOutstandingOffer(s)) {
                slot = s;
                break;
            }
        }
        if (slot == null) {
            slot = new Slot(Integer.toString(slots.size()), video);
            slots.add(slot);
        }
        attach(slot, c);
        if (negotiateNow) negotiate();
    }

    /** The video codec offered for {@code c}: its track's, with the publisher's fmtp (issue 12). */
    static SdpOfferBuilder.VideoFormat videoFormat(Consumer c) {
        dev.chorus.media.simulcast.VideoCodec codec = c.track.codec;
        return new SdpOfferBuilder.VideoFormat(codec.encoding(), c.payloadType, codec.rtxPayloadType(),
                codec == dev.chorus.media.simulcast.VideoCodec.VP8 ? null : c.track.fmtp);
    }

    /** A consumer of {@code t} with SSRCs of its own (never announced before). */
    private Consumer newConsumer(Producer t) {
        boolean video = t.info.kind().isVideo();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new Consumer(participant, t, ParticipantImpl.randomSsrc(), video ? ParticipantImpl.randomSsrc() : -1,
                video ? t.codec.payloadType() : SdpOfferBuilder.PT_OPUS, r.nextInt(0x10000), r.nextLong(0x100000000L));
    }

    private void attach(Slot slot, Consumer c) {
        slot.consumer = c;
        consumers.add(c);
        c.track.addConsumer(c);
        changed = true;
    }

    /** Stops {@code c} at once: no more packets, its SSRCs forgotten by the transport, its slot free. */
    private void detach(Consumer c) {
        c.removed = true;
        // Its layer demand goes with it (dynacast: a layer nobody receives is paused at the publisher).
        SubscriberLayers.report(c, dev.chorus.media.simulcast.LayerSelector.NONE);
        c.track.removeConsumer(c);
        consumers.remove(c);
        Endpoint sub = transports.subscribe;
        if (sub != null && sub.link != null) {
            sub.link.forgetOutboundSsrc(c.ssrc);
            if (c.rtxSsrc >= 0) sub.link.forgetOutboundSsrc(c.rtxSsrc);
        }
        for (Slot s : slots) {
            if (s.consumer == c) s.consumer = null;
        }
        changed = true;
    }

    private boolean inOutstandingOffer(Slot s) {
        if (outstandingOffer == null) return false;
        for (Slot.Offered o : outstandingOffer) {
            if (o.slot() == s) return o.consumer() != null;
        }
        return false;
    }

    /** Worker: {@code t} may be received: announce it once, and subscribe (again, if it was over capacity). */
    void show(Producer t, boolean negotiateNow) {
        if (visible.add(t)) participant.listener.onTrackPublished(t.info);
        subscribe(t, negotiateNow);
    }

    /** Worker: {@code t} is gone or no longer allowed: stop forwarding at once and tell, if it was announced. */
    void hide(Producer t, UnpublishReason reason) {
        unsubscribe(t, reason, false);
        if (visible.remove(t)) participant.listener.onTrackUnpublished(t.info, reason);
    }

    /** Worker: stops forwarding {@code t} to this participant at once, tells it, renegotiates. */
    void unsubscribe(Producer t, UnpublishReason reason, boolean tell) {
        Consumer c = t.consumerOf(participant);
        if (c == null) return;
        detach(c);
        if (tell) participant.listener.onTrackUnpublished(t.info, reason);
        if (!participant.closed) negotiate();
    }

    /** Worker: the participant leaves: every subscription ends, nothing more is announced. */
    void clear() {
        for (Consumer c : List.copyOf(consumers)) unsubscribe(c.track, UnpublishReason.PUBLISHER_LEFT, false);
        visible.clear();
    }

    /** Worker: the client asks for an ICE restart of its subscribe connection ({@link Participant#restartSubscriberIce}). */
    void restartIce() {
        if (participant.closed) return;
        transports.requestSubscribeRestart();
        changed = true;
        negotiate();
    }

    /** Sends the next subscriber offer, or remembers to once the outstanding one is answered. */
    void negotiate() {
        if (participant.closed || !changed || outstandingOffer != null || slots.isEmpty()) return;
        List<Slot.Offered> offered = new ArrayList<>();
        List<SubscribeNegotiation.Section> sections = new ArrayList<>();
        List<SubscribedTrack> listed = new ArrayList<>();
        for (Slot s : slots) {
            Consumer c = s.consumer;
            SdpAnswerBuilder.SendStream stream = null;
            List<Sdp.Extmap> extra = List.of();
            SdpOfferBuilder.VideoFormat format = SdpOfferBuilder.VP8;
            if (c != null) {
                if (s.video) format = videoFormat(c);
                extra = extensionIds.extraFor(c.track.extensions, s.video);
                String trackLabel = ParticipantImpl.MSID_SAFE.matcher(c.track.info.trackId()).matches()
                        ? c.track.info.trackId() : "t" + s.mid;
                String sid = c.track.publisher.streamId;
                stream = new SdpAnswerBuilder.SendStream(c.ssrc, c.rtxSsrc, sid, sid, trackLabel);
                listed.add(new SubscribedTrack(s.mid, c.track.info));
            }
            sections.add(new SubscribeNegotiation.Section(s.mid, s.video, stream, extra, format));
            offered.add(new Slot.Offered(s, c));
        }
        long version = versions.next();
        String sdp = SubscribeNegotiation.offer(transports.subscribeCredentials(), room.sfu.sdpFingerprint(),
                room.sfu.candidates(), sessionId, version, sections);
        outstandingOffer = offered;
        changed = false;
        participant.listener.onSubscriberOffer(sdp, List.copyOf(listed), version);
    }

    /**
     * Worker: the client's answer (parsed off the worker) to the offer of {@code offerVersion}. An answer to an offer
     * no longer outstanding is ignored ({@link #answersOutstandingOffer}). A refused answer withdraws the offer
     * (issue 13 defect 2: left outstanding, it blocked every later offer): the subscription counts as changed if the
     * offer carried tracks, so the next offer comes at once; an all-inactive offer is offered again only when
     * something changes (no offer/refusal loop).
     */
    SubscriberAnswerOutcome applyAnswer(SubscribeNegotiation.Answer answer, long offerVersion) {
        if (!answersOutstandingOffer(offerVersion)) return SubscriberAnswerOutcome.IGNORED_STALE;
        List<String> mids = new ArrayList<>(outstandingOffer.size());
        for (Slot.Offered o : outstandingOffer) mids.add(o.slot().mid);
        try {
            SubscribeNegotiation.Accepted accepted = SubscribeNegotiation.accept(answer, mids);
            transports.ensureSubscribe(accepted.remoteUfrag(), accepted.fingerprint());
            apply(accepted);
        } catch (SfuException e) {
            withdrawOffer(e);
            throw e;
        }
        outstandingOffer = null;
        versions.settle();
        negotiate();
        return SubscriberAnswerOutcome.APPLIED;
    }

    /**
     * Worker: an answer that could not even be parsed (off the worker): refused like any other, unless it answers an
     * offer no longer outstanding (then it is ignored like any stale answer and the outstanding offer stays).
     */
    SubscriberAnswerOutcome refuseAnswer(SfuException refusal, long offerVersion) {
        if (!answersOutstandingOffer(offerVersion)) return SubscriberAnswerOutcome.IGNORED_STALE;
        withdrawOffer(refusal);
        throw refusal;
    }

    /**
     * Whether an answer naming {@code offerVersion} answers the outstanding offer ({@link SubscriberOfferVersions}).
     * An answer to an earlier offer (on its way while that offer was withdrawn and the next one sent: the transport
     * closed, or an answer was refused) is counted and ignored: false. A version never sent, or an unversioned answer
     * without an outstanding offer, is refused and changes nothing.
     */
    private boolean answersOutstandingOffer(long offerVersion) {
        return switch (versions.judge(offerVersion)) {
            case CURRENT -> true;
            case STALE -> {
                worker.counters.staleSubscriberAnswers++;
                LOG.debug("event=subscriber_answer_stale participant={} answered_version={} outstanding_version={} "
                        + "(answers an offer no longer outstanding; ignored)", participant.id, offerVersion,
                        versions.outstanding());
                yield false;
            }
            case NEVER_SENT -> throw new SfuException(SfuException.Code.UNKNOWN_OFFER_VERSION, "the answer names "
                    + "subscriber offer version " + offerVersion + ", which was never sent (the last one is "
                    + versions.lastSent() + ")");
            case NONE_OUTSTANDING -> throw new SfuException(SfuException.Code.NO_PENDING_OFFER,
                    "no subscriber offer outstanding");
        };
    }

    private void apply(SubscribeNegotiation.Accepted accepted) {
        long now = worker.clock.getAsLong();
        for (Slot.Offered o : outstandingOffer) {
            Slot slot = o.slot();
            Consumer c = o.consumer();
            if (c == null) {
                slot.idle = true;
                continue;
            }
            if (c.removed || slot.consumer != c) continue;
            SubscribeNegotiation.Receiving r = accepted.receiving().get(slot.mid);
            if (r == null) {
                if (slot.idle) moveToFreshSlot(slot, c);
                continue;
            }
            slot.idle = false;
            if (c.track.codec != null && c.track.codec != dev.chorus.media.simulcast.VideoCodec.VP8
                    && !r.accepts(c.payloadType)) {
                // The subscriber cannot decode the track's codec (e.g. H.264 without a decoder): nothing to send.
                continue;
            }
            int rtxPt = c.rtxSsrc >= 0 ? c.track.codec.rtxPayloadType() : -1;
            c.rtxPayloadType = rtxPt >= 0 && r.accepts(rtxPt) ? rtxPt : -1;
            c.answered = r.extensions();
            c.mapExtensions();
            // Issue 12: with transport-cc the bandwidth loop decides; until its next allocation (now) a simulcast
            // consumer starts on the lowest layer, not the top one a slow link could not carry.
            if (c.transportCcId > 0 && c.layers() != null) c.layers.bandwidthCap = 0;
            estimate.soon(now);
            c.negotiated = true;
            maybeStart(c, now);
        }
    }

    /**
     * The subscriber declined a reused section (it answered it inactive or rejected it where the SFU offered a new
     * track): the section is retired and the track is offered again in a fresh one, at most once per track (a fresh
     * section is never idle, so declining that one is a real refusal and is respected). The track gets new SSRCs
     * there: a stack that keeps the SSRC → section binding of the declined offer (webrtcbin) would otherwise route
     * the packets to the dead transceiver.
     */
    private void moveToFreshSlot(Slot declined, Consumer c) {
        declined.retired = true;
        detach(c);
        Slot fresh = new Slot(Integer.toString(slots.size()), declined.video);
        slots.add(fresh);
        attach(fresh, newConsumer(c.track));
        if (!reuseDeclinedLogged) {
            reuseDeclinedLogged = true;
            LOG.info("event=subscriber_declined_reused_section participant={} mid={} track_moved_to_mid={} (the client "
                    + "cannot re-activate an inactive transceiver; logged once per participant)", participant.id,
                    declined.mid, fresh.mid);
        }
    }

    private void withdrawOffer(SfuException refusal) {
        boolean carriedTracks = false;
        for (Slot.Offered o : outstandingOffer) carriedTracks |= o.consumer() != null;
        outstandingOffer = null;
        versions.settle();
        if (carriedTracks) changed = true;
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.warn("event=subscriber_answer_refused participant={} code={} reason=\"{}\" offer_withdrawn=true "
                    + "reoffer={} (logged once per participant)", participant.id, refusal.code(), refusal.getMessage(),
                    carriedTracks ? "now" : "on_next_change");
        }
        negotiate();
    }

    /** When a consumer can first receive (negotiated and connected), ask its publisher for a keyframe. */
    private void maybeStart(Consumer c, long now) {
        if (c.started || !c.active()) return;
        c.started = true;
        if (c.track.keyframes != null) c.track.publisher.publishing.requestKeyframe(c.track, now);
    }

    void onConnected(long now) {
        for (Consumer c : List.copyOf(consumers)) maybeStart(c, now);
    }

    /**
     * The subscribe transport closed: the next offer opens a new one (an ICE restart for the client's PC). The
     * outstanding offer is withdrawn; an answer to it still on its way is then stale and ignored.
     */
    void onTransportClosed() {
        outstandingOffer = null;
        versions.settle();
        changed = true;
        for (Consumer c : consumers) {
            c.negotiated = false;
            c.started = false;
        }
    }

    /** Worker: RTCP from the subscriber. */
    void onRtcp(RtcpCompound rtcp, long now) {
        if (lastRtcpNanos != 0 && now - lastRtcpNanos >= RTCP_SILENCE_NANOS) onReturned(now);
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
                if (c != null && c.active() && c.track.cache != null) nacks.answer(c, rtcp, i, now);
            } else if (rtcp.isRemb(i)) {
                estimatedBps = rtcp.rembBitrate(i);
            } else if (rtcp.isTransportCc(i)) {
                transportCcFeedbacks++;
                estimate.onFeedback(rtcp, i, now);
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
        estimate.onReturned(now);
        for (Consumer c : List.copyOf(consumers)) {
            if (c.active() && c.track.keyframes != null) c.track.publisher.publishing.requestKeyframe(c.track, now);
        }
    }

    private Consumer consumerBySsrc(long ssrc) {
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.ssrc == ssrc || c.rtxSsrc == ssrc) return c;
        }
        return null;
    }

    /** Worker timer: sender reports for every started consumer. */
    void tick(long now) {
        estimate.tick(now);
        pacer.drain(now);
        layerChoice.tick(now);
        Endpoint sub = transports.subscribe;
        if (sub == null || !sub.connected || now - nextRtcpNanos < 0) return;
        nextRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
        byte[] out = worker.out;
        int n = RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, 0);
        int inPacket = 0;
        long wallNtp = RtcpWriter.ntp(System.currentTimeMillis());
        for (Consumer c : consumers) {
            if (!c.started || c.packets == 0) continue;
            n += c.writeSenderReport(out, n, wallNtp, now);
            if (++inPacket == 30) {
                transports.sendRtcp(sub, out, n);
                n = RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, 0);
                inPacket = 0;
            }
        }
        if (inPacket > 0) transports.sendRtcp(sub, out, n);
    }

    int activeConsumers() {
        int n = 0;
        for (Consumer c : consumers) if (c.active()) n++;
        return n;
    }
}
