package dev.chorus.media.sfu;

import dev.chorus.media.transport.WebRtcTestClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A test participant: a {@link Participant} handle with a recording listener, and up to two Java WebRTC clients
 * (real UDP, ICE, DTLS, SRTP) for its publish and subscribe transports.
 */
public final class SfuPeer implements AutoCloseable {
    public final String id;
    public final Participant participant;
    public final RecordingParticipantListener events;
    private final InetSocketAddress server;
    public WebRtcTestClient publisher;
    public WebRtcTestClient subscriber;
    /** The latest subscriber offer that was answered. */
    public RecordingParticipantListener.Offer lastOffer;

    private SfuPeer(String id, Participant participant, RecordingParticipantListener events, InetSocketAddress server) {
        this.id = id;
        this.participant = participant;
        this.events = events;
        this.server = server;
    }

    public static SfuPeer join(Sfu sfu, String room, String id, MediaRights rights) throws Exception {
        RecordingParticipantListener events = new RecordingParticipantListener();
        Participant p = sfu.join(room, id, rights, events).get(10, TimeUnit.SECONDS);
        return new SfuPeer(id, p, events, sfu.media().candidates().getFirst());
    }

    /** Publishes the tracks and connects the publish transport (ICE + DTLS). */
    public String publish(List<WebRtcTestClient.TestTrack> tracks) throws Exception {
        if (publisher == null) publisher = new WebRtcTestClient(server);
        String answer = participant.publish(publisher.publishOffer(tracks)).get(10, TimeUnit.SECONDS);
        publisher.connect(answer);
        await(() -> events.connected.contains(TransportRole.PUBLISH), "publish transport connected");
        return answer;
    }

    /** Answers the next subscriber offer (connecting the subscribe transport the first time). */
    public RecordingParticipantListener.Offer acceptOffer(boolean rtx) throws Exception {
        RecordingParticipantListener.Offer offer = events.nextOffer(10_000);
        if (offer == null) throw new AssertionError(id + ": no subscriber offer");
        boolean first = subscriber == null;
        if (first) subscriber = new WebRtcTestClient(server);
        participant.answerSubscription(subscriber.answer(offer.sdp(), rtx)).get(10, TimeUnit.SECONDS);
        if (first) {
            subscriber.connect(offer.sdp());
            await(() -> events.connected.contains(TransportRole.SUBSCRIBE), "subscribe transport connected");
        }
        lastOffer = offer;
        return offer;
    }

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(2); // polling a condition with a deadline
        }
    }

    @Override
    public void close() {
        if (publisher != null) publisher.close();
        if (subscriber != null) subscriber.close();
    }
}
