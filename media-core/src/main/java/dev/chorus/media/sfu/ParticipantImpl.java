package dev.chorus.media.sfu;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.transport.CloseReason;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A participant's handle and lifecycle: hands the public calls to the room's worker, and dispatches its transports'
 * events to the concepts that own them: {@link TransportPair} (the two transports), {@link PublishSide} (producers,
 * SSRC filter, policing, RTCP to the publisher), {@link SubscribeSide} (consumers, offers, RTCP from the
 * subscriber). SDP is parsed on the calling thread ({@link PublishNegotiation}, {@link SubscribeNegotiation}) before
 * the hand-over. Owner: every field is confined to the room's worker thread.
 */
final class ParticipantImpl implements Participant {
    static final Pattern MSID_SAFE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    final String id;
    final RoomImpl room;
    final Worker worker;
    final ParticipantListener listener;
    final String streamId;
    MediaRights rights;
    boolean closed;
    /** Whether the last audio level report to this participant had anyone above silence (then one more follows). */
    boolean reportedAudible;
    final TransportPair transports;
    final PublishSide publishing;
    final SubscribeSide subscribing;
    final DataSide data;

    ParticipantImpl(String id, RoomImpl room, MediaRights rights, ParticipantListener listener) {
        this.id = id;
        this.room = room;
        this.worker = room.worker;
        this.rights = rights;
        this.listener = new SafeListener(listener);
        this.streamId = MSID_SAFE.matcher(id).matches() ? id : "p" + Integer.toHexString(id.hashCode());
        this.transports = new TransportPair(this);
        this.publishing = new PublishSide(this, transports);
        this.subscribing = new SubscribeSide(this, transports);
        this.data = new DataSide(this);
        publishing.applyBitrateCap(rights, worker.clock.getAsLong());
    }

    static long randomSsrc() {
        return ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
    }

    // ---- public API: parse on the caller's thread, hand over to the worker -----------------------------------------

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

    /** A refusal on the caller's thread (bad SDP), reported like the worker's refusals. */
    private static <T> CompletableFuture<T> refused(RuntimeException e) {
        return CompletableFuture.failedFuture(asRefusal(e));
    }

    private static SfuException asRefusal(RuntimeException e) {
        return e instanceof SfuException se ? se
                : new SfuException(SfuException.Code.NEGOTIATION_FAILED, "internal error: " + e.getClass().getSimpleName());
    }

    @Override
    public CompletableFuture<String> publish(String offerSdp, Map<String, TrackKind> kindsByMid) {
        PublishNegotiation.Offer offer;
        DataNegotiation.DataSection dataSection;
        try {
            offer = PublishNegotiation.read(offerSdp, Map.copyOf(kindsByMid));
            dataSection = DataNegotiation.read(offer.description());
        } catch (RuntimeException e) {
            return refused(e);
        }
        return submit(() -> {
            String answer = publishing.apply(offer, rights);
            data.negotiated(dataSection);
            return answer;
        });
    }

    @Override
    public CompletableFuture<SubscriberAnswerOutcome> answerSubscription(String answerSdp, long offerVersion) {
        SubscribeNegotiation.Answer answer;
        try {
            answer = SubscribeNegotiation.read(answerSdp);
        } catch (RuntimeException e) {
            SfuException refusal = asRefusal(e);
            return submit(() -> subscribing.refuseAnswer(refusal, offerVersion));
        }
        return submit(() -> subscribing.applyAnswer(answer, offerVersion));
    }

    @Override
    public CompletableFuture<Void> restartSubscriberIce() {
        return submit(() -> {
            subscribing.restartIce();
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> setTrackView(String publisherId, String trackId, int width, int height,
                                                boolean visible, dev.chorus.media.simulcast.ViewportLayers.Quality preferred) {
        return submit(() -> {
            subscribing.layerChoice.setPreference(publisherId, trackId, width, height, visible, preferred);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> setMuted(String trackId, boolean muted) {
        return submit(() -> {
            publishing.setMuted(trackId, muted);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> updateRights(MediaRights newRights) {
        Objects.requireNonNull(newRights, "rights");
        return submit(() -> {
            rights = newRights;
            publishing.applyBitrateCap(newRights, worker.clock.getAsLong());
            publishing.applyRights(newRights);
            room.refreshSubscriptions(this);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> updateDataRights(dev.chorus.media.datarelay.DataRights newRights) {
        Objects.requireNonNull(newRights, "rights");
        return submit(() -> {
            data.updateRights(newRights);
            return null;
        });
    }

    @Override
    public CompletableFuture<ParticipantStats> stats() {
        return submit(() -> new ParticipantStats(publishing.packetsPublished, subscribing.packetsReceived,
                publishing.droppedPublished, subscribing.nacks.answered, publishing.keyframeRequests,
                subscribing.activeConsumers(), subscribing.downlinkEstimateBps(), subscribing.rtcp.transportCcFeedbacks));
    }

    /** Worker: this participant in a room snapshot. */
    RoomSnapshot.ParticipantView view() {
        java.util.List<RoomSnapshot.TrackView> tracks = new java.util.ArrayList<>();
        for (Producer t : publishing.tracks.values()) tracks.add(t.view());
        Endpoint pub = transports.publish;
        return new RoomSnapshot.ParticipantView(id, tracks, subscribing.activeConsumers(),
                subscribing.downlinkEstimateBps() > 0 ? subscribing.downlinkEstimateBps() : -1, pub != null && pub.connected,
                transports.subscribeConnected());
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

    // ---- worker: room events ---------------------------------------------------------------------------------------

    /** Worker: {@code t} may be received: announce it once and subscribe. */
    void show(Producer t, boolean negotiateNow) {
        subscribing.show(t, negotiateNow);
    }

    /** Worker: {@code t} is gone or no longer allowed. */
    void hide(Producer t, UnpublishReason reason) {
        subscribing.hide(t, reason);
    }

    /** Worker: sends the next subscriber offer if the subscription changed and none is outstanding. */
    void negotiate() {
        subscribing.negotiate();
    }

    /** Worker: leaves (its tracks unpublished and subscriptions dropped first). */
    void leave() {
        publishing.unpublishAll(UnpublishReason.PUBLISHER_LEFT);
        subscribing.clear();
        data.close();
        closed = true;
        transports.close();
    }

    // ---- worker: transport events ----------------------------------------------------------------------------------

    void onTransportConnected(Endpoint ep) {
        if (ep.closed || closed) return;
        ep.connected = true;
        listener.onTransportConnected(ep.role);
        long now = worker.clock.getAsLong();
        if (ep.role == TransportRole.SUBSCRIBE) subscribing.onConnected(now);
        else publishing.onConnected(now);
    }

    void onDtlsFailed(Endpoint ep, DtlsFailure reason) {
        if (!closed) listener.onDtlsFailed(ep.role, reason);
    }

    void onTransportClosed(Endpoint ep, CloseReason reason) {
        boolean current = transports.isCurrent(ep);
        ep.close();
        if (closed || !current) return;
        transports.forget(ep);
        if (ep.role == TransportRole.PUBLISH) {
            publishing.onTransportClosed();
            data.close();
        }
        else subscribing.onTransportClosed();
        listener.onTransportClosed(ep.role, reason);
        if (ep.role == TransportRole.SUBSCRIBE) subscribing.negotiate();
    }

    /** Worker, per packet: RTP from the publish transport, handed over by the event loop at {@code arrivedAt}. */
    void onRtp(RtpPacket rtp, long now, long arrivedAt) {
        publishing.onRtp(rtp, now, arrivedAt);
    }

    /** Worker: RTCP from one of this participant's transports. */
    void onRtcp(Endpoint ep, RtcpCompound rtcp, long now) {
        if (ep.role == TransportRole.PUBLISH) publishing.onRtcp(rtcp, now);
        else subscribing.onRtcp(rtcp, now);
    }

    /** Worker timer. */
    void tick(long now) {
        publishing.tick(now);
        subscribing.tick(now);
        data.tick(now);
    }

    @Override
    public String toString() {
        return "Participant[" + id + " in " + room.id() + "]";
    }
}
