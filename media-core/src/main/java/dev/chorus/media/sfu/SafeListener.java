package dev.chorus.media.sfu;

import dev.chorus.media.transport.CloseReason;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps signaling's listener so that an exception thrown by it cannot abort the worker half-way through a room
 * change (e.g. leave a track subscribed by some participants and not others). Logged without event contents.
 */
final class SafeListener implements ParticipantListener {
    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);
    private final ParticipantListener delegate;

    SafeListener(ParticipantListener delegate) {
        this.delegate = delegate;
    }

    private void failed(String event, RuntimeException e) {
        LOG.warn("participant listener threw in {}: {}", event, e.getClass().getName());
    }

    @Override public void onTrackPublished(TrackInfo track) {
        try { delegate.onTrackPublished(track); } catch (RuntimeException e) { failed("onTrackPublished", e); }
    }
    @Override public void onTrackUpdated(TrackInfo track) {
        try { delegate.onTrackUpdated(track); } catch (RuntimeException e) { failed("onTrackUpdated", e); }
    }
    @Override public void onTrackUnpublished(TrackInfo track, UnpublishReason reason) {
        try { delegate.onTrackUnpublished(track, reason); } catch (RuntimeException e) { failed("onTrackUnpublished", e); }
    }
    @Override public void onSubscriberOffer(String sdp, List<SubscribedTrack> tracks, long version) {
        try { delegate.onSubscriberOffer(sdp, tracks, version); } catch (RuntimeException e) { failed("onSubscriberOffer", e); }
    }
    @Override public void onAudioLevels(java.util.Map<String, Double> levels) {
        try { delegate.onAudioLevels(levels); } catch (RuntimeException e) { failed("onAudioLevels", e); }
    }
    @Override public void onActiveSpeaker(String participantId) {
        try { delegate.onActiveSpeaker(participantId); } catch (RuntimeException e) { failed("onActiveSpeaker", e); }
    }
    @Override public void onTransportConnected(TransportRole role) {
        try { delegate.onTransportConnected(role); } catch (RuntimeException e) { failed("onTransportConnected", e); }
    }
    @Override public void onTransportClosed(TransportRole role, CloseReason reason) {
        try { delegate.onTransportClosed(role, reason); } catch (RuntimeException e) { failed("onTransportClosed", e); }
    }
    @Override public void onDtlsFailed(TransportRole role, dev.chorus.media.dtls.DtlsFailure reason) {
        try { delegate.onDtlsFailed(role, reason); } catch (RuntimeException e) { failed("onDtlsFailed", e); }
    }
    @Override public void onSrtpAuthFailures(TransportRole role, int inWindow, long windowSeconds, long total) {
        try {
            delegate.onSrtpAuthFailures(role, inWindow, windowSeconds, total);
        } catch (RuntimeException e) {
            failed("onSrtpAuthFailures", e);
        }
    }
    @Override public void onDataPublishRefused() {
        try { delegate.onDataPublishRefused(); } catch (RuntimeException e) { failed("onDataPublishRefused", e); }
    }
    @Override public void onClosed(String reason) {
        try { delegate.onClosed(reason); } catch (RuntimeException e) { failed("onClosed", e); }
    }
    @Override public void onTrackPaused(TrackInfo track, boolean paused, String reason) {
        try { delegate.onTrackPaused(track, paused, reason); } catch (RuntimeException e) { failed("onTrackPaused", e); }
    }
    @Override public void onPublishLayers(String trackId, java.util.Map<String, Boolean> activeByRid) {
        try { delegate.onPublishLayers(trackId, activeByRid); } catch (RuntimeException e) { failed("onPublishLayers", e); }
    }
}
