package dev.chorus.media.sfu;

import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.rtp.SsrcFilter;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpNegotiationException;
import dev.chorus.media.sdp.SdpOfferBuilder;
import dev.chorus.media.sdp.SdpParseException;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.sfu.rtcp.RtcpWriter;
import dev.chorus.common.rate.TokenBucket;
import dev.chorus.media.sfu.rtcp.TransportCcRecorder;
import dev.chorus.media.transport.CloseReason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A participant on its room's worker: the publish side (transport, announced SSRCs, tracks, transport-cc recorder,
 * bitrate policing) and the subscribe side (transport, consumers, the SFU-driven offer/answer). Every field is
 * worker-confined; the public methods only hand tasks to the worker.
 */
final class ParticipantImpl implements Participant {
    static final String TWCC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    static final String ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    private static final Pattern MSID_SAFE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    final String id;
    final RoomImpl room;
    final Worker worker;
    final ParticipantListener listener;
    final String streamId;
    MediaRights rights;
    boolean closed;

    // ---- publish side ----
    Endpoint publishEndpoint;
    private String publishRemoteUfrag;
    SsrcFilter ssrcFilter;
    final TrackMap tracks = new TrackMap();
    /** Publisher header extension id → the subscriber's id (0: dropped). */
    final byte[] pubToSub = new byte[256];
    int transportCcExtId = -1;
    private TransportCcRecorder transportCc;
    private TokenBucket bitrateBucket;
    final long publishRtcpSsrc = randomSsrc();
    private long nextPublishRtcpNanos;
    private long nextTransportCcNanos;
    long packetsPublished;
    long droppedPublished;
    long keyframeRequests;

    // ---- subscribe side ----
    Endpoint subscribeEndpoint;
    private IceCredentials subscribeCredentials;
    private String subscribeRemoteUfrag;
    /** The client asked for an ICE restart of the subscribe transport; the next offer carries new credentials. */
    private boolean subscribeIceRestartWanted;
    /** The outstanding subscriber offer carries new ICE credentials: its answer restarts ICE on the transport. */
    private boolean subscribeIceRestartOffered;

    private final long subscribeSessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private long subscribeVersion;
    final List<Slot> slots = new ArrayList<>();
    final List<Consumer> consumers = new ArrayList<>();
    /** Other participants' tracks announced to this one (identity set): a superset of its consumers' tracks. */
    final java.util.Set<PublishedTrack> visible = new java.util.HashSet<>();
    private List<Slot.Offered> outstandingOffer;
    /** The subscription changed since the last offer. */
    private boolean changed;
    int acceptedExtMask;
    private int transportCcSequence = ThreadLocalRandom.current().nextInt(0x10000);
    final long subscribeRtcpSsrc = randomSsrc();
    private long nextSubscribeRtcpNanos;
    private TokenBucket nackBucket;
    long packetsReceived;
    long nacksAnswered;
    long estimatedBps;
    long transportCcFeedbacks;

    /** A section of the subscriber offer; reused by a later track of the same media type once free. */
    static final class Slot {
        final String mid;
        final boolean video;
        Consumer consumer;

        Slot(String mid, boolean video) {
            this.mid = mid;
            this.video = video;
        }

        record Offered(Slot slot, Consumer consumer) { }
    }

    ParticipantImpl(String id, RoomImpl room, MediaRights rights, ParticipantListener listener) {
        this.id = id;
        this.room = room;
        this.worker = room.worker;
        this.rights = rights;
        this.listener = new SafeListener(listener);
        this.streamId = MSID_SAFE.matcher(id).matches() ? id : "p" + Integer.toHexString(id.hashCode());
        long now = worker.clock.getAsLong();
        this.nackBucket = new TokenBucket(room.config.nackBudgetPerSecond(), room.config.nackBudgetPerSecond(), now);
        applyBitrateCap(now);
    }

    static long randomSsrc() {
        return ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
    }

    // ================================================================================================================
    // Public API: hand over to the worker
    // ================================================================================================================

    @Override public String id() { return id; }
    @Override public String roomId() { return room.id(); }

    private <T> CompletableFuture<T> submit(Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        worker.execute(() -> {
            if (closed) {
                f.completeExceptionally(new SfuException(SfuException.Code.CLOSED, "participant closed"));
                return;
            }
            try {
                f.complete(task.get());
            } catch (SfuException e) {
                f.completeExceptionally(e);
            } catch (RuntimeException e) {
                f.completeExceptionally(new SfuException(SfuException.Code.NEGOTIATION_FAILED,
                        "internal error: " + e.getClass().getSimpleName()));
            }
        });
        return f;
    }

    @Override
    public CompletableFuture<String> publish(String offerSdp, Map<String, TrackKind> kindsByMid) {
        Map<String, TrackKind> kinds = Map.copyOf(kindsByMid);
        return submit(() -> doPublish(offerSdp, kinds));
    }

    @Override
    public CompletableFuture<Void> answerSubscription(String answerSdp) {
        return submit(() -> {
            doAnswer(answerSdp);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> restartSubscriberIce() {
        return submit(() -> {
            requestSubscribeIceRestart();
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> setMuted(String trackId, boolean muted) {
        return submit(() -> {
            PublishedTrack t = tracks.get(trackId);
            if (t == null) throw new SfuException(SfuException.Code.UNKNOWN_TRACK, "no such track");
            if (t.info.muted() != muted) {
                t.info = t.info.withMuted(muted);
                room.trackUpdated(t);
                if (!muted && t.keyframes != null) requestKeyframe(t, worker.clock.getAsLong());
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> updateRights(MediaRights newRights) {
        java.util.Objects.requireNonNull(newRights, "rights");
        return submit(() -> {
            doUpdateRights(newRights);
            return null;
        });
    }

    @Override
    public CompletableFuture<ParticipantStats> stats() {
        return submit(() -> new ParticipantStats(packetsPublished, packetsReceived, droppedPublished, nacksAnswered,
                keyframeRequests, (int) consumers.stream().filter(Consumer::active).count(), estimatedBps,
                transportCcFeedbacks));
    }

    @Override
    public CompletableFuture<Void> close(String reason) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        worker.execute(() -> {
            if (!closed) room.leave(this, reason);
            f.complete(null);
        });
        return f;
    }

    // ================================================================================================================
    // Publish
    // ================================================================================================================

    private record Spec(MediaDescription offered, TrackKind kind) { }

    private String doPublish(String offerSdp, Map<String, TrackKind> kinds) {
        SessionDescription offer;
        try {
            offer = SdpParser.parse(offerSdp);
        } catch (SdpParseException e) {
            throw new SfuException(SfuException.Code.BAD_SDP, "publish offer: " + e.getMessage());
        }
        List<Spec> specs = new ArrayList<>();
        for (MediaDescription m : offer.media()) {
            if (m.isRejected() || m.mid() == null || !m.effectiveDirection().sends()) continue;
            TrackKind kind;
            if (m.media().equals("audio")) {
                kind = TrackKind.AUDIO;
                if (kinds.getOrDefault(m.mid(), TrackKind.AUDIO) != TrackKind.AUDIO) {
                    throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid() + " is audio");
                }
            } else if (m.media().equals("video")) {
                kind = kinds.getOrDefault(m.mid(), TrackKind.VIDEO);
                if (kind == TrackKind.AUDIO) throw new SfuException(SfuException.Code.BAD_SDP, "section " + m.mid() + " is video");
            } else {
                continue;
            }
            // SECURITY-CHECKLIST 20: a kind not granted refuses the whole offer; nothing changes.
            if (!rights.mayPublish(kind)) {
                throw new SfuException(SfuException.Code.PUBLISH_NOT_ALLOWED,
                        "publishing " + kind.name().toLowerCase(Locale.ROOT) + " is not allowed");
            }
            specs.add(new Spec(m, kind));
        }
        if (specs.size() > rights.maxTracks()) {
            throw new SfuException(SfuException.Code.TOO_MANY_TRACKS,
                    specs.size() + " tracks, at most " + rights.maxTracks() + " allowed");
        }
        MediaDescription first = offer.media().stream().filter(m -> !m.isRejected()).findFirst()
                .orElseThrow(() -> new SfuException(SfuException.Code.BAD_SDP, "no media section"));
        String ufrag = offer.iceUfrag(first);
        List<Sdp.Fingerprint> fps = offer.fingerprints(first);
        if (ufrag == null || fps.isEmpty()) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "offer lacks ICE ufrag or fingerprint");
        }
        Fingerprint fingerprint;
        try {
            fingerprint = Fingerprint.parseSdp(fps.get(0).hashFunction() + " " + fps.get(0).value());
        } catch (RuntimeException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "unsupported fingerprint");
        }
        boolean newTransport = publishEndpoint == null || publishEndpoint.closed;
        // A new remote ufrag on the open transport is the client's ICE restart: fresh local credentials, same transport.
        boolean iceRestart = !newTransport && !ufrag.equals(publishRemoteUfrag);
        IceCredentials credentials = newTransport || iceRestart ? IceCredentials.generate() : publishCredentials;
        SessionDescription answer;
        try {
            SdpAnswerBuilder builder = new SdpAnswerBuilder(offer, credentials, room.sfu.sdpFingerprint())
                    .codecs("opus", "VP8").simulcast(false);
            for (InetSocketAddress c : room.sfu.candidates()) builder.candidate(c);
            answer = builder.build();
        } catch (SdpNegotiationException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, e.getMessage());
        } catch (IllegalStateException e) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "no media candidates");
        }
        // Per section: recvonly for what the client sends, inactive otherwise; the bitrate cap as b=AS/TIAS.
        for (int i = 0; i < answer.media().size(); i++) {
            MediaDescription am = answer.media().get(i);
            MediaDescription om = offer.media().get(i);
            if (am.isRejected()) continue;
            am.direction(om.effectiveDirection().sends() ? Sdp.Direction.RECVONLY : Sdp.Direction.INACTIVE);
            if (rights.maxKbps() > 0 && am.media().equals("video")) {
                am.bandwidths().add("AS:" + rights.maxKbps());
                am.bandwidths().add("TIAS:" + rights.maxKbps() * 1000L);
            }
        }
        if (newTransport) {
            Endpoint ep = room.sfu.openTransport(this, TransportRole.PUBLISH, credentials, ufrag, fingerprint);
            if (ep == null) throw new SfuException(SfuException.Code.CAPACITY, "media server is full");
            publishEndpoint = ep;
            publishRemoteUfrag = ufrag;
            publishCredentials = credentials;
        } else if (iceRestart) {
            restartIce(publishEndpoint, credentials, ufrag);
            publishRemoteUfrag = ufrag;
            publishCredentials = credentials;
        }
        // Everything accepted: apply.
        ssrcFilter = SsrcFilter.fromDescription(offer, 0);
        applyExtensions(answer);
        long now = worker.clock.getAsLong();
        Map<String, PublishedTrack> next = new LinkedHashMap<>();
        List<PublishedTrack> added = new ArrayList<>();
        for (Spec s : specs) {
            MediaDescription am = answer.mediaByMid(s.offered().mid()).orElse(null);
            if (am == null || am.isRejected()) continue;
            int pt = -1;
            int rtxPt = -1;
            int clock = s.kind() == TrackKind.AUDIO ? 48000 : 90000;
            for (Sdp.RtpMap r : am.rtpMaps()) {
                String enc = r.encoding().toLowerCase(Locale.ROOT);
                if (pt < 0 && (enc.equals("opus") || enc.equals("vp8"))) {
                    pt = r.payloadType();
                    clock = r.clockRate();
                }
            }
            if (pt < 0) continue;
            for (Sdp.RtpMap r : am.rtpMaps()) {
                if (r.encoding().equalsIgnoreCase("rtx")) {
                    String params = am.fmtp(r.payloadType()).map(Sdp.Fmtp::parameters).orElse("");
                    if (params.replace(" ", "").contains("apt=" + pt)) rtxPt = r.payloadType();
                }
            }
            long primary = -1;
            long rtx = -1;
            MediaDescription om = s.offered();
            for (Sdp.SsrcGroup g : om.ssrcGroups()) {
                if (g.semantics().equals("FID") && g.ssrcs().size() == 2) {
                    primary = g.ssrcs().get(0);
                    rtx = g.ssrcs().get(1);
                }
            }
            if (primary < 0 && !om.ssrcIds().isEmpty()) primary = om.ssrcIds().get(0);
            PublishedTrack t = tracks.get(om.mid());
            if (t != null && t.info.kind() != s.kind()) {
                room.unpublish(t, UnpublishReason.UNPUBLISHED);
                tracks.remove(om.mid());
                t = null;
            }
            if (t == null) {
                t = new PublishedTrack(this, om.mid(), new TrackInfo(id, om.mid(), s.kind(), false), clock, room.config);
                added.add(t);
            }
            t.ssrc = primary;
            t.rtxSsrc = rtx;
            t.payloadType = pt;
            t.rtxPayloadType = rtxPt;
            next.put(om.mid(), t);
        }
        for (PublishedTrack old : List.copyOf(tracks.values())) {
            if (!next.containsKey(old.mid)) {
                tracks.remove(old.mid);
                room.unpublish(old, UnpublishReason.UNPUBLISHED);
            }
        }
        tracks.clear();
        tracks.putAll(next);
        if (transportCcExtId > 0 && transportCc == null) transportCc = new TransportCcRecorder(2048);
        nextPublishRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
        for (PublishedTrack t : added) room.publish(t);
        return SdpWriter.write(answer);
    }

    private IceCredentials publishCredentials;

    private void applyExtensions(SessionDescription answer) {
        java.util.Arrays.fill(pubToSub, (byte) 0);
        transportCcExtId = -1;
        for (MediaDescription am : answer.media()) {
            for (Sdp.Extmap e : am.extmaps()) {
                if (e.id() <= 0 || e.id() > 255) continue;
                switch (e.uri()) {
                    case TWCC_URI -> {
                        transportCcExtId = e.id();
                        pubToSub[e.id()] = Consumer.SUB_EXT_TRANSPORT_CC;
                    }
                    case AUDIO_LEVEL_URI -> pubToSub[e.id()] = Consumer.SUB_EXT_AUDIO_LEVEL;
                    case ABS_SEND_TIME_URI -> pubToSub[e.id()] = Consumer.SUB_EXT_ABS_SEND_TIME;
                    default -> { }
                }
            }
        }
    }

    private void applyBitrateCap(long now) {
        if (rights.maxKbps() > 0) {
            double bytesPerSecond = rights.maxKbps() * 1000.0 / 8 * room.config.bitrateToleranceFactor();
            bitrateBucket = new TokenBucket(bytesPerSecond, bytesPerSecond, now);
        } else {
            bitrateBucket = null;
        }
    }

    /** Worker, per packet: RTP from this participant's publish transport. */
    void onRtp(RtpPacket rtp, long now) {
        SfuCounters counters = worker.counters;
        // SECURITY-CHECKLIST 39: only SSRCs announced in the offer.
        if (ssrcFilter == null || !ssrcFilter.accept(rtp)) {
            counters.drop(SfuDropReason.UNKNOWN_SSRC);
            droppedPublished++;
            return;
        }
        if (transportCc != null) {
            long ext = rtp.findExtension(transportCcExtId);
            if (ext >= 0 && (ext & 0xFFFF) >= 2) {
                byte[] b = rtp.buffer();
                int at = (int) (ext >>> 16);
                transportCc.onPacket(((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), now);
            }
        }
        long ssrc = rtp.ssrc();
        PublishedTrack track = null;
        boolean isRtx = false;
        for (PublishedTrack t : tracks.array()) {
            if (t.ssrc == ssrc) {
                track = t;
                break;
            }
            if (t.rtxSsrc == ssrc) {
                track = t;
                isRtx = true;
                break;
            }
        }
        if (track == null) {
            counters.drop(SfuDropReason.NOT_PUBLISHED);
            droppedPublished++;
            return;
        }
        if (isRtx) {
            // RFC 4588: the publisher repaired a loss towards us. Unwrap to the original packet and forward it;
            // payload-less RTX is bandwidth probing.
            if (rtp.payloadType() != track.rtxPayloadType || rtp.payloadLength() < 2) {
                counters.drop(SfuDropReason.RTX_PADDING);
                return;
            }
            byte[] b = rtp.buffer();
            int po = rtp.payloadOffset();
            int osn = ((b[po] & 0xFF) << 8) | (b[po + 1] & 0xFF);
            // Chromium also probes bandwidth with RTX copies of packets that did arrive: forward only repairs.
            if (track.cache != null && track.cache.find(osn, now) >= 0) {
                counters.drop(SfuDropReason.RTX_DUPLICATE);
                return;
            }
            int tail = rtp.offset() + rtp.length() - (po + 2);
            System.arraycopy(b, po + 2, b, po, tail);
            if (rtp.wrap(b, rtp.offset(), rtp.length() - 2) != RtpStatus.OK) {
                counters.drop(SfuDropReason.MALFORMED);
                return;
            }
            rtp.setSequenceNumber(osn);
            rtp.setSsrc(track.ssrc);
            rtp.setPayloadType(track.payloadType);
        } else if (rtp.payloadType() != track.payloadType) {
            counters.drop(SfuDropReason.BAD_PAYLOAD_TYPE);
            droppedPublished++;
            return;
        }
        int len = rtp.length();
        packetsPublished++;
        track.packetsIn++;
        track.bytesIn += len;
        if (!isRtx) track.stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), now);
        if (track.info.muted()) {
            counters.drop(SfuDropReason.MUTED);
            return;
        }
        // SECURITY-CHECKLIST 41: above maxKbps × tolerance, packets are dropped.
        if (bitrateBucket != null && !bitrateBucket.tryTake(len, now)) {
            counters.drop(SfuDropReason.OVER_BITRATE);
            droppedPublished++;
            return;
        }
        if (track.cache != null) track.cache.put(rtp, now);
        room.forward(track, rtp, now);
    }

    // ================================================================================================================
    // Subscribe
    // ================================================================================================================

    boolean subscribeConnected() {
        Endpoint ep = subscribeEndpoint;
        return ep != null && ep.connected;
    }

    int nextTransportCcSequence() {
        int s = transportCcSequence;
        transportCcSequence = (s + 1) & 0xFFFF;
        return s;
    }

    int acceptedExtMask() {
        return acceptedExtMask;
    }

    /** Worker: starts forwarding {@code t} to this participant (its rights allow it) and renegotiates. */
    void subscribe(PublishedTrack t) {
        subscribe(t, true);
    }

    /** Like {@link #subscribe(PublishedTrack)}; without {@code negotiateNow} the caller calls {@link #negotiate()}. */
    void subscribe(PublishedTrack t, boolean negotiateNow) {
        if (t.consumerOf(this) != null) return;
        boolean video = t.info.kind().isVideo();
        // Each forwarded stream needs SRTP contexts on the subscribe transport (one SSRC, two with RTX); beyond the
        // transport's bound protection would fail for every packet, so the track is not offered (and counted).
        int ssrcs = video ? 2 : 1;
        for (Consumer existing : consumers) ssrcs += existing.rtxSsrc >= 0 ? 2 : 1;
        if (ssrcs > room.sfu.maxStreamsPerTransport()) {
            worker.counters.subscriptionsOverCapacity++;
            return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Consumer c = new Consumer(this, t, randomSsrc(), video ? randomSsrc() : -1,
                video ? SdpOfferBuilder.PT_VP8 : SdpOfferBuilder.PT_OPUS, r.nextInt(0x10000), r.nextLong(0x100000000L));
        Slot slot = null;
        for (Slot s : slots) {
            if (s.consumer == null && s.video == video && !inOutstandingOffer(s)) {
                slot = s;
                break;
            }
        }
        if (slot == null) {
            slot = new Slot(Integer.toString(slots.size()), video);
            slots.add(slot);
        }
        slot.consumer = c;
        consumers.add(c);
        t.addConsumer(c);
        changed = true;
        if (negotiateNow) negotiate();
    }

    private boolean inOutstandingOffer(Slot s) {
        if (outstandingOffer == null) return false;
        for (Slot.Offered o : outstandingOffer) {
            if (o.slot() == s) return o.consumer() != null;
        }
        return false;
    }

    /** Worker: {@code t} may be received: announce it once, and subscribe (again, if it was over capacity). */
    void show(PublishedTrack t, boolean negotiateNow) {
        if (visible.add(t)) listener.onTrackPublished(t.info);
        subscribe(t, negotiateNow);
    }

    /** Worker: {@code t} is gone or no longer allowed: stop forwarding at once and tell, if it was announced. */
    void hide(PublishedTrack t, UnpublishReason reason) {
        unsubscribe(t, reason, false);
        if (visible.remove(t)) listener.onTrackUnpublished(t.info, reason);
    }

    /** Worker: stops forwarding {@code t} to this participant at once, tells it, renegotiates. */
    void unsubscribe(PublishedTrack t, UnpublishReason reason, boolean tell) {
        Consumer c = t.consumerOf(this);
        if (c == null) return;
        c.removed = true;
        t.removeConsumer(c);
        consumers.remove(c);
        Endpoint sub = subscribeEndpoint;
        if (sub != null && sub.link != null) {
            sub.link.forgetOutboundSsrc(c.ssrc);
            if (c.rtxSsrc >= 0) sub.link.forgetOutboundSsrc(c.rtxSsrc);
        }
        for (Slot s : slots) {
            if (s.consumer == c) s.consumer = null;
        }
        changed = true;
        if (tell) listener.onTrackUnpublished(t.info, reason);
        if (!closed) negotiate();
    }

    /**
     * Worker: the client asks for an ICE restart of its subscribe connection (its ICE went disconnected or failed,
     * or its network changed). The next subscriber offer carries fresh local credentials; its answer restarts ICE on
     * the same transport. Without a subscribe transport the next offer opens a new one anyway.
     */
    void requestSubscribeIceRestart() {
        if (closed) return;
        subscribeIceRestartWanted = true;
        changed = true;
        negotiate();
    }

    /** Worker: applies an ICE restart to an open transport; refused only if the transport is gone or the ufrag taken. */
    private void restartIce(Endpoint ep, IceCredentials credentials, String remoteUfrag) {
        if (ep.link == null || !ep.link.restartIce(credentials, remoteUfrag)) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "ICE restart failed: transport closed");
        }
    }

    /** Sends the next subscriber offer, or remembers to once the outstanding one is answered. */
    void negotiate() {
        if (closed || !changed || outstandingOffer != null || slots.isEmpty()) return;
        if (subscribeIceRestartWanted && subscribeCredentials != null && subscribeEndpoint != null) {
            subscribeCredentials = IceCredentials.generate();
            subscribeIceRestartOffered = true;
        }
        subscribeIceRestartWanted = false;
        if (subscribeCredentials == null) subscribeCredentials = IceCredentials.generate();
        SdpOfferBuilder b = new SdpOfferBuilder(subscribeCredentials, room.sfu.sdpFingerprint())
                .session(subscribeSessionId, ++subscribeVersion);
        for (InetSocketAddress c : room.sfu.candidates()) b.candidate(c);
        List<Slot.Offered> offered = new ArrayList<>();
        List<SubscribedTrack> listed = new ArrayList<>();
        for (Slot s : slots) {
            Consumer c = s.consumer;
            SdpAnswerBuilder.SendStream stream = null;
            if (c != null) {
                String trackLabel = MSID_SAFE.matcher(c.track.info.trackId()).matches()
                        ? c.track.info.trackId() : "t" + s.mid;
                String sid = c.track.publisher.streamId;
                stream = new SdpAnswerBuilder.SendStream(c.ssrc, c.rtxSsrc, sid, sid, trackLabel);
                listed.add(new SubscribedTrack(s.mid, c.track.info));
            }
            Sdp.Direction dir = c != null ? Sdp.Direction.SENDONLY : Sdp.Direction.INACTIVE;
            if (s.video) b.video(s.mid, dir, stream);
            else b.audio(s.mid, dir, stream);
            offered.add(new Slot.Offered(s, c));
        }
        String sdp = SdpWriter.write(b.build());
        outstandingOffer = offered;
        changed = false;
        listener.onSubscriberOffer(sdp, List.copyOf(listed));
    }

    private void doAnswer(String answerSdp) {
        if (outstandingOffer == null) throw new SfuException(SfuException.Code.NO_PENDING_OFFER, "no subscriber offer outstanding");
        SessionDescription answer;
        try {
            answer = SdpParser.parse(answerSdp);
        } catch (SdpParseException e) {
            throw new SfuException(SfuException.Code.BAD_SDP, "subscribe answer: " + e.getMessage());
        }
        MediaDescription first = null;
        for (Slot.Offered o : outstandingOffer) {
            MediaDescription am = answer.mediaByMid(o.slot().mid).orElse(null);
            if (am == null) throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer lacks mid " + o.slot().mid);
            if (first == null && !am.isRejected()) first = am;
        }
        if (first == null) throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer rejects every section");
        String ufrag = answer.iceUfrag(first);
        List<Sdp.Fingerprint> fps = answer.fingerprints(first);
        Sdp.Setup setup = answer.setup(first);
        if (ufrag == null || fps.isEmpty()) throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "answer lacks ICE ufrag or fingerprint");
        if (setup != null && setup != Sdp.Setup.ACTIVE) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "the subscriber must be the DTLS client (setup:active)");
        }
        boolean newTransport = subscribeEndpoint == null || subscribeEndpoint.closed;
        if (!newTransport && (subscribeIceRestartOffered || !ufrag.equals(subscribeRemoteUfrag))) {
            // The answer to an ICE-restart offer (or the client restarted ICE itself): same transport, new credentials.
            restartIce(subscribeEndpoint, subscribeCredentials, ufrag);
            subscribeRemoteUfrag = ufrag;
        }
        subscribeIceRestartOffered = false;
        if (newTransport) {
            Fingerprint fingerprint;
            try {
                fingerprint = Fingerprint.parseSdp(fps.get(0).hashFunction() + " " + fps.get(0).value());
            } catch (RuntimeException e) {
                throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "unsupported fingerprint");
            }
            Endpoint ep = room.sfu.openTransport(this, TransportRole.SUBSCRIBE, subscribeCredentials, ufrag, fingerprint);
            if (ep == null) throw new SfuException(SfuException.Code.CAPACITY, "media server is full");
            subscribeEndpoint = ep;
            subscribeRemoteUfrag = ufrag;
        }
        int mask = 0;
        for (MediaDescription am : answer.media()) {
            for (Sdp.Extmap e : am.extmaps()) {
                if (e.id() > 0 && e.id() < 15) {
                    switch (e.uri()) {
                        case TWCC_URI -> mask |= 1 << Consumer.SUB_EXT_TRANSPORT_CC;
                        case AUDIO_LEVEL_URI -> mask |= 1 << Consumer.SUB_EXT_AUDIO_LEVEL;
                        case ABS_SEND_TIME_URI -> mask |= 1 << Consumer.SUB_EXT_ABS_SEND_TIME;
                        default -> { }
                    }
                }
            }
        }
        acceptedExtMask = mask;
        long now = worker.clock.getAsLong();
        for (Slot.Offered o : outstandingOffer) {
            Consumer c = o.consumer();
            if (c == null || c.removed || o.slot().consumer != c) continue;
            MediaDescription am = answer.mediaByMid(o.slot().mid).orElseThrow();
            if (am.isRejected() || !am.effectiveDirection().receives()) continue;
            c.rtxPayloadType = c.rtxSsrc >= 0 && am.formats().contains(Integer.toString(SdpOfferBuilder.PT_VP8_RTX))
                    ? SdpOfferBuilder.PT_VP8_RTX : -1;
            c.negotiated = true;
            maybeStart(c, now);
        }
        outstandingOffer = null;
        negotiate();
    }

    /** When a consumer can first receive (negotiated and connected), ask its publisher for a keyframe. */
    private void maybeStart(Consumer c, long now) {
        if (c.started || !c.active()) return;
        c.started = true;
        if (c.track.keyframes != null) c.track.publisher.requestKeyframe(c.track, now);
    }

    // ================================================================================================================
    // Rights
    // ================================================================================================================

    private void doUpdateRights(MediaRights newRights) {
        rights = newRights;
        long now = worker.clock.getAsLong();
        applyBitrateCap(now);
        List<PublishedTrack> kept = new ArrayList<>();
        for (PublishedTrack t : List.copyOf(tracks.values())) {
            // Kinds no longer granted, and tracks beyond a lowered maxTracks (the latest published go first).
            if (!rights.mayPublish(t.info.kind()) || kept.size() >= rights.maxTracks()) {
                tracks.remove(t.mid);
                room.unpublish(t, UnpublishReason.PUBLISH_RIGHTS_REVOKED);
            } else {
                kept.add(t);
            }
        }
        room.refreshSubscriptions(this);
    }

    // ================================================================================================================
    // Transports, RTCP, timers
    // ================================================================================================================

    void onTransportConnected(Endpoint ep) {
        if (ep.closed || closed) return;
        ep.connected = true;
        listener.onTransportConnected(ep.role);
        long now = worker.clock.getAsLong();
        if (ep.role == TransportRole.SUBSCRIBE) {
            for (Consumer c : List.copyOf(consumers)) maybeStart(c, now);
        } else {
            nextTransportCcNanos = now;
        }
    }

    void onDtlsFailed(Endpoint ep, dev.chorus.media.dtls.DtlsFailure reason) {
        if (!closed) listener.onDtlsFailed(ep.role, reason);
    }

    void onTransportClosed(Endpoint ep, CloseReason reason) {
        boolean current = ep == publishEndpoint || ep == subscribeEndpoint;
        ep.close();
        if (closed || !current) return;
        if (ep == publishEndpoint) {
            publishEndpoint = null;
            transportCc = null;
            for (PublishedTrack t : List.copyOf(tracks.values())) {
                tracks.remove(t.mid);
                room.unpublish(t, UnpublishReason.TRANSPORT_CLOSED);
            }
        } else {
            // The next offer opens a new transport (new ICE credentials: an ICE restart for the client's PC).
            subscribeEndpoint = null;
            subscribeCredentials = null;
            outstandingOffer = null;
            changed = true;
            for (Consumer c : consumers) {
                c.negotiated = false;
                c.started = false;
            }
        }
        listener.onTransportClosed(ep.role, reason);
        if (ep.role == TransportRole.SUBSCRIBE) negotiate();
    }

    void requestKeyframe(PublishedTrack t, long now) {
        if (t.keyframes != null && t.keyframes.request(now)) sendPli(t);
    }

    /** Sends a PLI now; if it cannot go out yet (publish transport not connected), it stays pending for the timer. */
    private void sendPli(PublishedTrack t) {
        Endpoint ep = publishEndpoint;
        boolean sent = false;
        if (ep != null && ep.connected && t.ssrc >= 0) {
            byte[] out = worker.out;
            int n = RtcpWriter.receiverReportHeader(out, 0, publishRtcpSsrc, 0);
            n += RtcpWriter.pli(out, n, publishRtcpSsrc, t.ssrc);
            sent = sendRtcp(ep, out, n);
        }
        if (sent) {
            worker.counters.plisSent++;
            keyframeRequests++;
        } else {
            t.keyframes.notSent();
        }
    }

    boolean sendRtcp(Endpoint ep, byte[] buf, int len) {
        if (ep.link.send(buf, 0, len, true)) {
            worker.counters.rtcpSent++;
            worker.sentSomething = true;
            return true;
        }
        worker.counters.sendFailures++;
        return false;
    }

    /** Worker: RTCP from one of this participant's transports. */
    void onRtcp(Endpoint ep, RtcpCompound rtcp, long now) {
        if (ep.role == TransportRole.PUBLISH) {
            for (int i = 0; i < rtcp.packetCount(); i++) {
                if (rtcp.packetType(i) == RtcpCompound.SR) {
                    long ssrc = rtcp.senderSsrc(i);
                    for (PublishedTrack t : tracks.values()) {
                        if (t.ssrc == ssrc) t.stats.onSenderReport(rtcp.srNtpTimestamp(i), rtcp.srRtpTimestamp(i), now);
                    }
                }
            }
            return;
        }
        for (int i = 0; i < rtcp.packetCount(); i++) {
            if (rtcp.isPli(i)) {
                worker.counters.keyframeRequestsReceived++;
                Consumer c = consumerBySsrc(rtcp.mediaSsrc(i));
                if (c != null && c.active()) c.track.publisher.requestKeyframe(c.track, now);
            } else if (rtcp.isFir(i)) {
                worker.counters.keyframeRequestsReceived++;
                for (int k = 0; k < rtcp.firCount(i); k++) {
                    Consumer c = consumerBySsrc(rtcp.firSsrc(i, k));
                    if (c != null && c.active()) c.track.publisher.requestKeyframe(c.track, now);
                }
            } else if (rtcp.isNack(i)) {
                worker.counters.nacksReceived++;
                Consumer c = consumerBySsrc(rtcp.mediaSsrc(i));
                if (c != null && c.active() && c.track.cache != null) answerNack(c, rtcp, i, now);
            } else if (rtcp.isRemb(i)) {
                estimatedBps = rtcp.rembBitrate(i);
            } else if (rtcp.isTransportCc(i)) {
                transportCcFeedbacks++;
            } else if (rtcp.packetType(i) == RtcpCompound.RR || rtcp.packetType(i) == RtcpCompound.SR) {
                for (int k = 0; k < rtcp.reportBlockCount(i); k++) {
                    Consumer c = consumerBySsrc(rtcp.blockSsrc(i, k));
                    if (c != null) c.fractionLost = rtcp.blockFractionLost(i, k);
                }
            }
        }
    }

    private Consumer consumerBySsrc(long ssrc) {
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.ssrc == ssrc || c.rtxSsrc == ssrc) return c;
        }
        return null;
    }

    /** SECURITY-CHECKLIST 42: retransmissions per NACK and per second are budgeted; the rest is counted. */
    private void answerNack(Consumer c, RtcpCompound rtcp, int i, long now) {
        int answeredHere = 0;
        int upstream = 0;
        int entries = rtcp.nackCount(i);
        SfuCounters counters = worker.counters;
        int maxPerRequest = room.config.nackMaxPerRequest();
        for (int k = 0; k < entries; k++) {
            int pid = rtcp.nackPid(i, k);
            int blp = rtcp.nackBlp(i, k);
            for (int bit = -1; bit < 16; bit++) {
                if (bit >= 0 && (blp & (1 << bit)) == 0) continue;
                int seq = (pid + bit + 1) & 0xFFFF;
                if (answeredHere >= maxPerRequest || !nackBucket.tryTake(1, now)) {
                    counters.nacksOverBudget++;
                    continue;
                }
                int source = c.sourceSequence(seq);
                int slot = c.track.cache.find(source, now);
                if (slot < 0) {
                    // Not here: lost on the way in too. Ask the publisher (it repairs with RTX, which we forward).
                    counters.nacksMissed++;
                    if (upstream < worker.upstreamNacks.length) worker.upstreamNacks[upstream++] = source;
                    continue;
                }
                answeredHere++;
                if (room.retransmit(c, slot)) {
                    counters.nacksAnswered++;
                    nacksAnswered++;
                }
            }
        }
        if (upstream > 0) c.track.publisher.nackUpstream(c.track, worker.upstreamNacks, upstream);
    }

    /** Sends one NACK for the publisher's own sequence numbers {@code seqs[0..n)} (one FCI entry each). */
    void nackUpstream(PublishedTrack t, int[] seqs, int n) {
        Endpoint ep = publishEndpoint;
        if (ep == null || !ep.connected || t.ssrc < 0) return;
        byte[] out = worker.out;
        int p = RtcpWriter.receiverReportHeader(out, 0, publishRtcpSsrc, 0);
        int start = p;
        // A one-entry NACK header, then all n entries (PID, BLP 0) and the length fixed up.
        RtcpWriter.nack(out, p, publishRtcpSsrc, t.ssrc, seqs[0], 0);
        p += 12;
        for (int k = 0; k < n; k++) {
            out[p] = (byte) (seqs[k] >>> 8);
            out[p + 1] = (byte) seqs[k];
            out[p + 2] = 0;
            out[p + 3] = 0;
            p += 4;
        }
        int words = (p - start) / 4 - 1;
        out[start + 2] = (byte) (words >>> 8);
        out[start + 3] = (byte) words;
        if (sendRtcp(ep, out, p)) worker.counters.nacksForwarded++;
    }

    /** Worker timer. */
    void tick(long now) {
        Endpoint pub = publishEndpoint;
        if (pub != null && pub.connected) {
            for (PublishedTrack t : tracks.values()) {
                if (t.keyframes != null && t.keyframes.due(now)) sendPli(t);
            }
            if (transportCc != null && transportCc.hasPending() && now - nextTransportCcNanos >= 0) {
                nextTransportCcNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.transportCcIntervalMillis());
                sendTransportCc(pub);
            }
            if (now - nextPublishRtcpNanos >= 0) {
                nextPublishRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
                sendReceiverReports(pub, now);
            }
        }
        Endpoint sub = subscribeEndpoint;
        if (sub != null && sub.connected && now - nextSubscribeRtcpNanos >= 0) {
            nextSubscribeRtcpNanos = now + TimeUnit.MILLISECONDS.toNanos(room.config.rtcpIntervalMillis());
            sendSenderReports(sub, now);
        }
    }

    private void sendTransportCc(Endpoint pub) {
        byte[] out = worker.out;
        long media = tracks.isEmpty() ? 0 : Math.max(0, tracks.values().iterator().next().ssrc);
        for (int round = 0; round < 4 && transportCc.hasPending(); round++) {
            int n = RtcpWriter.receiverReportHeader(out, 0, publishRtcpSsrc, 0);
            int fb = transportCc.writeFeedback(out, n, publishRtcpSsrc, media);
            if (fb == 0) break;
            if (sendRtcp(pub, out, n + fb)) worker.counters.transportCcFeedbacksSent++;
        }
    }

    private void sendReceiverReports(Endpoint pub, long now) {
        byte[] out = worker.out;
        int blocks = 0;
        int n = 8;
        for (PublishedTrack t : tracks.values()) {
            if (!t.stats.started() || blocks == 31) continue;
            t.stats.writeReportBlock(out, n, t.ssrc, now);
            n += 24;
            blocks++;
        }
        RtcpWriter.receiverReportHeader(out, 0, publishRtcpSsrc, blocks);
        sendRtcp(pub, out, n);
    }

    private void sendSenderReports(Endpoint sub, long now) {
        byte[] out = worker.out;
        int n = RtcpWriter.receiverReportHeader(out, 0, subscribeRtcpSsrc, 0);
        int inPacket = 0;
        long wallNtp = RtcpWriter.ntp(System.currentTimeMillis());
        for (Consumer c : consumers) {
            if (!c.started || c.packets == 0) continue;
            long ntp;
            long rtpTs;
            PublishedTrack t = c.track;
            if (t.stats.haveSenderReport()) {
                // Keep the publisher's NTP↔RTP mapping (lip sync between its audio and video).
                long elapsed = now - t.stats.senderReportArrivalNanos();
                ntp = t.stats.senderReportNtp() + (long) (elapsed * 4.294967296);
                rtpTs = c.mapTimestamp(t.stats.senderReportRtp() + elapsed / 1000 * t.clockRate / 1_000_000);
            } else {
                ntp = wallNtp;
                rtpTs = c.lastTimestamp();
            }
            n += RtcpWriter.senderReport(out, n, c.ssrc, ntp, rtpTs, c.packets, c.octets);
            if (++inPacket == 30) {
                sendRtcp(sub, out, n);
                n = RtcpWriter.receiverReportHeader(out, 0, subscribeRtcpSsrc, 0);
                inPacket = 0;
            }
        }
        if (inPacket > 0) sendRtcp(sub, out, n);
    }

    /** Worker: leaves (tracks unpublished and subscriptions dropped by the room first). */
    void closeTransports() {
        if (publishEndpoint != null) publishEndpoint.close();
        if (subscribeEndpoint != null) subscribeEndpoint.close();
        publishEndpoint = null;
        subscribeEndpoint = null;
    }

    @Override
    public String toString() {
        return "Participant[" + id + " in " + room.id() + "]";
    }
}
