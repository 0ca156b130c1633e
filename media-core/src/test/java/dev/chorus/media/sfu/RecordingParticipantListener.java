package dev.chorus.media.sfu;

import dev.chorus.media.transport.CloseReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records every {@link ParticipantListener} event (worker thread) for tests to wait on. */
public final class RecordingParticipantListener implements ParticipantListener {
    public record Offer(String sdp, List<SubscribedTrack> tracks, long version) { }

    public final LinkedBlockingQueue<Offer> offers = new LinkedBlockingQueue<>();
    public final List<TrackInfo> published = new CopyOnWriteArrayList<>();
    public final List<TrackInfo> updated = new CopyOnWriteArrayList<>();
    public final List<String> unpublished = new CopyOnWriteArrayList<>();
    public final List<TransportRole> connected = new CopyOnWriteArrayList<>();
    public final List<String> transportClosed = new CopyOnWriteArrayList<>();
    public final List<String> closed = new CopyOnWriteArrayList<>();
    public final List<String> dtlsFailures = new CopyOnWriteArrayList<>();
    /** "ROLE:inWindow" per SRTP authentication failure alarm. */
    public final List<String> srtpAuthAlarms = new CopyOnWriteArrayList<>();
    public final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override public void onTrackPublished(TrackInfo track) { threads.add(Thread.currentThread()); published.add(track); }
    @Override public void onTrackUpdated(TrackInfo track) { updated.add(track); }
    @Override public void onTrackUnpublished(TrackInfo track, UnpublishReason reason) {
        unpublished.add(track.participantId() + "/" + track.trackId() + ":" + reason);
    }
    @Override public void onSubscriberOffer(String sdp, List<SubscribedTrack> tracks, long version) {
        threads.add(Thread.currentThread());
        offers.add(new Offer(sdp, tracks, version));
    }
    @Override public void onTransportConnected(TransportRole role) { connected.add(role); }
    @Override public void onTransportClosed(TransportRole role, CloseReason reason) { transportClosed.add(role + ":" + reason); }
    @Override public void onDtlsFailed(TransportRole role, dev.chorus.media.dtls.DtlsFailure reason) { dtlsFailures.add(role + ":" + reason); }
    @Override public void onSrtpAuthFailures(TransportRole role, int inWindow, long windowSeconds, long total) {
        srtpAuthAlarms.add(role + ":" + inWindow);
    }
    @Override public void onClosed(String reason) { closed.add(reason); }

    public Offer nextOffer(long millis) throws InterruptedException {
        return offers.poll(millis, TimeUnit.MILLISECONDS);
    }
}
