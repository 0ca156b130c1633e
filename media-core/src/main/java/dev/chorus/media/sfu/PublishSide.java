package dev.chorus.media.sfu;

import dev.chorus.common.rate.TokenBucket;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.SsrcFilter;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sfu.rtcp.KeyframeRequester;
import dev.chorus.media.sfu.rtcp.NackGenerator;
import dev.chorus.media.simulcast.SimulcastStreams;
import dev.chorus.media.sfu.rtcp.RtcpWriter;
import dev.chorus.media.sfu.rtcp.TransportCcRecorder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a participant publishes, on its publish transport: the producers by mid, the SSRC filter (only announced
 * SSRCs enter), bitrate policing, the transport-cc recorder, and the RTCP the SFU sends to the publisher (receiver
 * reports, transport-cc feedback, PLIs, and NACKs for the holes in every published video stream, per simulcast layer:
 * {@link NackGenerator}). Owner: the room's worker.
 */
final class PublishSide {
    private final ParticipantImpl participant;
    private final RoomImpl room;
    private final Worker worker;
    private final TransportPair transports;

    final TrackMap tracks = new TrackMap();
    SsrcFilter ssrcFilter;
    HeaderExtensionMap extensions = HeaderExtensionMap.NONE;
    private TransportCcRecorder transportCc;
    private TokenBucket bitrateBucket;
    final long rtcpSsrc = ParticipantImpl.randomSsrc();
    private long nextRtcpNanos;
    private long nextTransportCcNanos;
    long packetsPublished;
    long droppedPublished;
    long keyframeRequests;

    PublishSide(ParticipantImpl participant, TransportPair transports) {
        this.participant = participant;
        this.room = participant.room;
        this.worker = participant.worker;
        this.transports = transports;
    }

    /** Worker: applies a client offer (already parsed off the worker); returns the answer SDP. */
    String apply(PublishNegotiation.Offer offer, MediaRights rights) {
        PublishNegotiation.checkRights(offer, rights);
        IceCredentials credentials = transports.publishCredentialsFor(offer.remoteUfrag());
        PublishNegotiation.Plan plan = PublishNegotiation.answer(offer, rights, credentials, room.sfu.sdpFingerprint(),
                room.sfu.candidates());
        transports.ensurePublish(credentials, offer.remoteUfrag(), offer.fingerprint());
        // Everything accepted: apply.
        ssrcFilter = plan.ssrcFilter();
        extensions = plan.extensions();
        long now = worker.clock.getAsLong();
        Map<String, Producer> next = new LinkedHashMap<>();
        List<Producer> added = new ArrayList<>();
        for (PublishNegotiation.TrackSpec spec : plan.tracks()) {
            Producer t = tracks.get(spec.mid());
            // A section that changes kind, or video codec (its subscribers were offered the old one), is a new track.
            if (t != null && (t.info.kind() != spec.kind() || spec.codec() != null && t.codec != spec.codec())) {
                room.unpublish(t, UnpublishReason.UNPUBLISHED);
                tracks.remove(spec.mid());
                t = null;
            }
            if (t == null) {
                t = new Producer(participant, spec.mid(), new TrackInfo(participant.id, spec.mid(), spec.kind(), false),
                        spec.clockRate(), room.config);
                added.add(t);
            }
            t.configure(spec, extensions.section(spec.mid()));
            next.put(spec.mid(), t);
        }
        for (Producer old : List.copyOf(tracks.values())) {
            if (!next.containsKey(old.mid)) {
                tracks.remove(old.mid);
                room.unpublish(old, UnpublishReason.UNPUBLISHED);
            }
        }
        tracks.clear();
        tracks.putAll(next);
        if (extensions.transportCcId > 0 && transportCc == null) transportCc = new TransportCcRecorder(2048);
        nextRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
        for (Producer t : added) room.publish(t);
        return SdpWriter.write(plan.answer());
    }

    /** SECURITY-CHECKLIST 41: the bitrate cap of {@code rights} (× tolerance) as a token bucket. */
    void applyBitrateCap(MediaRights rights, long now) {
        if (rights.maxKbps() > 0) {
            double bytesPerSecond = rights.maxKbps() * 1000.0 / 8 * room.config.bitrateToleranceFactor();
            bitrateBucket = new TokenBucket(bytesPerSecond, bytesPerSecond, now);
        } else {
            bitrateBucket = null;
        }
    }

    /** Worker: unpublishes the tracks {@code rights} no longer allow (kinds, and those beyond maxTracks). */
    void applyRights(MediaRights rights) {
        List<Producer> kept = new ArrayList<>();
        for (Producer t : List.copyOf(tracks.values())) {
            // The latest published go first when maxTracks is lowered.
            if (!rights.mayPublish(t.info.kind()) || kept.size() >= rights.maxTracks()) {
                tracks.remove(t.mid);
                room.unpublish(t, UnpublishReason.PUBLISH_RIGHTS_REVOKED);
            } else {
                kept.add(t);
            }
        }
    }

    /** Worker: unpublishes every track. */
    void unpublishAll(UnpublishReason reason) {
        for (Producer t : List.copyOf(tracks.values())) {
            tracks.remove(t.mid);
            room.unpublish(t, reason);
        }
    }

    void setMuted(String trackId, boolean muted) {
        Producer t = tracks.get(trackId);
        if (t == null) throw new SfuException(SfuException.Code.UNKNOWN_TRACK, "no such track");
        if (t.info.muted() != muted) {
            t.info = t.info.withMuted(muted);
            room.trackUpdated(t);
            if (!muted && t.keyframes != null) requestKeyframe(t, worker.clock.getAsLong());
        }
    }

    void onConnected(long now) {
        nextTransportCcNanos = now;
    }

    /** The publish transport closed: its tracks end. */
    void onTransportClosed() {
        transportCc = null;
        unpublishAll(UnpublishReason.TRANSPORT_CLOSED);
    }

    /** Worker, per packet: RTP from the publish transport that arrived {@code now}. */
    void onRtp(RtpPacket rtp, long now) {
        onRtp(rtp, now, now);
    }

    /**
     * Worker, per packet: RTP from the publish transport, handed over by the event loop at {@code arrivedAt} (its
     * transport-cc arrival time: the worker's wake-up and a batch window's wait are not network delay).
     */
    void onRtp(RtpPacket rtp, long now, long arrivedAt) {
        SfuCounters counters = worker.counters;
        // SECURITY-CHECKLIST 39: only SSRCs announced in the offer.
        if (ssrcFilter == null || !ssrcFilter.accept(rtp)) {
            counters.drop(SfuDropReason.UNKNOWN_SSRC);
            droppedPublished++;
            return;
        }
        if (transportCc != null) {
            long ext = rtp.findExtension(extensions.transportCcId);
            if (ext >= 0 && (ext & 0xFFFF) >= 2) {
                byte[] b = rtp.buffer();
                int at = (int) (ext >>> 16);
                transportCc.onPacket(((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), arrivedAt);
            }
        }
        long ssrc = rtp.ssrc();
        Producer track = null;
        boolean isRtx = false;
        int layer = -1;
        for (Producer t : tracks.array()) {
            if (t.ssrc == ssrc) {
                track = t;
                break;
            }
            if (t.rtxSsrc == ssrc) {
                track = t;
                isRtx = true;
                break;
            }
            if (t.simulcast != null && (layer = t.simulcast.streams.lookup(ssrc)) != SimulcastStreams.UNKNOWN) {
                track = t;
                break;
            }
        }
        if (track == null) {
            // Issue 12: an SSRC-less simulcast layer's first packets carry mid + rid (the filter learned it by them).
            Producer t = tracks.get(ssrcFilter.midOf(ssrc));
            if (t != null && t.simulcast != null) {
                layer = t.simulcast.streams.classify(rtp);
                if (layer != SimulcastStreams.UNKNOWN) track = t;
            }
        }
        if (track == null) {
            counters.drop(SfuDropReason.NOT_PUBLISHED);
            droppedPublished++;
            return;
        }
        SimulcastLayers sc = track.simulcast;
        if (sc != null) {
            if (layer < 0) {
                counters.drop(SfuDropReason.NOT_PUBLISHED);
                droppedPublished++;
                return;
            }
            isRtx = (layer & SimulcastStreams.RTX) != 0;
            layer &= 0xFF;
        }
        if (isRtx) {
            SfuDropReason refused = sc == null ? track.unwrapRtx(rtp, now)
                    : track.unwrapRtx(rtp, now, sc.caches[layer], sc.ssrc(layer));
            if (refused != null) {
                counters.drop(refused);
                return;
            }
        } else if (rtp.payloadType() != track.payloadType) {
            counters.drop(SfuDropReason.BAD_PAYLOAD_TYPE);
            droppedPublished++;
            return;
        }
        packetsPublished++;
        track.onReceived(rtp, isRtx, layer, now);
        NackGenerator nacks = sc != null ? sc.nacks[layer] : track.nacks;
        if (nacks != null) trackHoles(track, layer, nacks, rtp, isRtx, now);
        if (track.info.muted()) {
            counters.drop(SfuDropReason.MUTED);
            return;
        }
        if (track.audioLevel != null && track.audioLevelId > 0) {
            long ext = rtp.findExtension(track.audioLevelId);
            if (ext >= 0 && (ext & 0xFFFF) >= 1) track.audioLevel.record(rtp.buffer()[(int) (ext >>> 16)] & 0x7F, now);
        }
        // SECURITY-CHECKLIST 41: above maxKbps × tolerance, packets are dropped.
        if (bitrateBucket != null && !bitrateBucket.tryTake(rtp.length(), now)) {
            counters.drop(SfuDropReason.OVER_BITRATE);
            droppedPublished++;
            return;
        }
        if (sc != null) sc.caches[layer].put(rtp, now);
        else if (track.cache != null) track.cache.put(rtp, now);
        room.forward(track, rtp, layer, now);
    }

    /** Worker: RTCP from the publisher (its sender reports feed the subscribers' lip sync). */
    void onRtcp(RtcpCompound rtcp, long now) {
        for (int i = 0; i < rtcp.packetCount(); i++) {
            if (rtcp.packetType(i) == RtcpCompound.SR) {
                long ssrc = rtcp.senderSsrc(i);
                for (Producer t : tracks.values()) {
                    if (t.ssrc == ssrc) t.stats.onSenderReport(rtcp.srNtpTimestamp(i), rtcp.srRtpTimestamp(i), now);
                    int l = t.simulcast == null ? SimulcastStreams.UNKNOWN : t.simulcast.layerOfMediaSsrc(ssrc);
                    if (l >= 0) t.simulcast.stats[l].onSenderReport(rtcp.srNtpTimestamp(i), rtcp.srRtpTimestamp(i), now);
                }
            }
        }
    }

    /** A key frame of the track (of every flowing layer of a simulcast track), rate-limited. */
    void requestKeyframe(Producer t, long now) {
        if (t.simulcast != null) {
            for (int l = 0; l < t.simulcast.layers; l++) requestKeyframe(t, l, now);
        } else if (t.keyframes != null && t.keyframes.request(now)) {
            sendPli(t.ssrc, t.keyframes);
        }
    }

    /** Issue 12: a key frame of one simulcast layer (a subscriber switches to it), rate-limited per layer. */
    void requestKeyframe(Producer t, int layer, long now) {
        SimulcastLayers sc = t.simulcast;
        if (sc == null) {
            requestKeyframe(t, now);
        } else if (layer >= 0 && layer < sc.layers && sc.keyframes[layer].request(now)) {
            sendPli(sc.ssrc(layer), sc.keyframes[layer]);
        }
    }

    /** Sends a PLI now; if it cannot go out yet (publish transport not connected), it stays pending for the timer. */
    private void sendPli(long ssrc, KeyframeRequester requester) {
        Endpoint ep = transports.publish;
        boolean sent = false;
        if (ep != null && ep.connected && ssrc >= 0) {
            byte[] out = worker.out;
            int n = RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, 0);
            n += RtcpWriter.pli(out, n, rtcpSsrc, ssrc);
            sent = transports.sendRtcp(ep, out, n);
        }
        if (sent) {
            worker.counters.plisSent++;
            keyframeRequests++;
        } else {
            requester.notSent();
        }
    }

    /**
     * Per packet of a video stream (a repair unwrapped from RTX included): follows its holes; a repair of an asked-for
     * packet is counted; a hole too big to ask for becomes a key frame request of that stream.
     */
    private void trackHoles(Producer t, int layer, NackGenerator nacks, RtpPacket rtp, boolean repaired, long now) {
        long givenUp = nacks.givenUp();
        int seen = nacks.onPacket(rtp.ssrc(), rtp.sequenceNumber(), repaired, now);
        SfuCounters counters = worker.counters;
        counters.nacksGivenUp += nacks.givenUp() - givenUp;
        if (seen == NackGenerator.RECOVERED) {
            counters.nacksRecovered++;
        } else if (seen == NackGenerator.KEYFRAME_NEEDED) {
            requestKeyframe(t, layer, now);
        }
    }

    /** Worker timer: the NACKs of every video stream of {@code t} that are due (RFC 4585 generic NACK per SSRC). */
    private void sendNacks(Endpoint pub, Producer t, long now) {
        SimulcastLayers sc = t.simulcast;
        if (sc != null) {
            for (int l = 0; l < sc.layers; l++) sendNacks(pub, sc.nacks[l], now);
        } else if (t.nacks != null) {
            sendNacks(pub, t.nacks, now);
        }
    }

    private void sendNacks(Endpoint pub, NackGenerator nacks, long now) {
        if (nacks.missing() == 0) return;
        SfuCounters counters = worker.counters;
        int[] seqs = worker.nackSeqs;
        long givenUp = nacks.givenUp();
        int n = nacks.collect(now, seqs, seqs.length);
        counters.nacksGivenUp += nacks.givenUp() - givenUp;
        if (n == 0) return;
        counters.nacksRequested += n;
        byte[] out = worker.out;
        int p = RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, 0);
        p += RtcpWriter.nack(out, p, rtcpSsrc, nacks.ssrc(), seqs, n, seqs.length);
        if (transports.sendRtcp(pub, out, p)) counters.nacksSentUpstream++;
    }

    /** Worker timer: pending PLIs, NACKs, transport-cc feedback, receiver reports. */
    void tick(long now) {
        Endpoint pub = transports.publish;
        if (pub == null || !pub.connected) return;
        for (Producer t : tracks.values()) {
            SimulcastLayers sc = t.simulcast;
            if (sc != null) {
                for (int l = 0; l < sc.layers; l++) if (sc.keyframes[l].due(now)) sendPli(sc.ssrc(l), sc.keyframes[l]);
                dynacast(t, sc, now);
            } else if (t.keyframes != null && t.keyframes.due(now)) {
                sendPli(t.ssrc, t.keyframes);
            }
            sendNacks(pub, t, now);
        }
        if (transportCc != null && transportCc.hasPending() && now - nextTransportCcNanos >= 0) {
            nextTransportCcNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.transportCcIntervalMillis());
            sendTransportCc(pub);
        }
        if (now - nextRtcpNanos >= 0) {
            nextRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
            sendReceiverReports(pub, now);
        }
    }

    /** Dynacast: tells the publisher which layers someone receives (resumed at once, paused after a delay). */
    private void dynacast(Producer t, SimulcastLayers sc, long now) {
        int mask = sc.demand.poll(now);
        if (mask < 0) return;
        Map<String, Boolean> active = new LinkedHashMap<>();
        for (int l = 0; l < sc.layers; l++) active.put(sc.streams.rid(l), (mask & (1 << l)) != 0);
        if (mask != sc.toldMask) {
            sc.toldMask = mask;
            worker.counters.layerMasksSent++;
            participant.listener.onPublishLayers(t.mid, active);
        }
    }

    private void sendTransportCc(Endpoint pub) {
        byte[] out = worker.out;
        long media = feedbackMediaSsrc();
        for (int round = 0; round < 4 && transportCc.hasPending(); round++) {
            int n = RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, 0);
            int fb = transportCc.writeFeedback(out, n, rtcpSsrc, media);
            if (fb == 0) break;
            if (transports.sendRtcp(pub, out, n + fb)) worker.counters.transportCcFeedbacksSent++;
        }
    }

    /**
     * The media SSRC a transport-cc feedback names: any SSRC the publisher sends on. Transport-cc is transport-wide,
     * but a simulcast-only publisher has no single-stream SSRC, and a feedback naming SSRC 0 is one no RTP stream of
     * the publisher claims: take a bound simulcast layer's SSRC then.
     */
    long feedbackMediaSsrc() {
        for (Producer t : tracks.values()) {
            if (t.ssrc > 0) return t.ssrc;
            SimulcastLayers sc = t.simulcast;
            for (int l = 0; sc != null && l < sc.layers; l++) {
                if (sc.ssrc(l) > 0) return sc.ssrc(l);
            }
        }
        return 0;
    }

    private void sendReceiverReports(Endpoint pub, long now) {
        byte[] out = worker.out;
        int blocks = 0;
        int n = 8;
        for (Producer t : tracks.values()) {
            SimulcastLayers sc = t.simulcast;
            for (int l = 0; sc != null && l < sc.layers; l++) {
                if (!sc.stats[l].started() || blocks == 31) continue;
                sc.stats[l].writeReportBlock(out, n, sc.ssrc(l), now);
                n += 24;
                blocks++;
            }
            if (!t.stats.started() || blocks == 31) continue;
            t.stats.writeReportBlock(out, n, t.ssrc, now);
            n += 24;
            blocks++;
        }
        RtcpWriter.receiverReportHeader(out, 0, rtcpSsrc, blocks);
        transports.sendRtcp(pub, out, n);
    }
}
