package dev.chorus.media.sfu;

import dev.chorus.media.transport.MediaTransportServer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The media plane's entry point for signaling: rooms on worker threads, participants that publish and subscribe,
 * packets forwarded with per-subscriber re-encryption. Nothing of signaling, tokens or JWT lives here: signaling
 * computes {@link MediaRights} and calls these methods.
 *
 * <pre>{@code
 * MediaTransportServer media = new MediaTransportServer(transportConfig, DtlsCertificate.generate("chorus")).start();
 * Sfu sfu = new Sfu(SfuConfig.defaults(), media).start();
 * Participant p = sfu.join("room-1", "participant-7", rights, listener).join();   // not on a worker thread
 * String answer = p.publish(offerSdp).join();
 * }</pre>
 *
 * <p><b>Threads.</b> {@code N} worker threads ({@link SfuConfig#workers}); a room lives on one of them (the least
 * loaded at creation) and all its media state is touched by that thread only. The UDP event loop of the
 * {@link MediaTransportServer} only copies protected datagrams into the worker's bounded queue; the worker decrypts,
 * filters, rewrites, re-encrypts, queues and flushes once per drain. Calls from signaling are tasks handed to the
 * worker ({@code execute}); listener callbacks and future completions run on the worker.
 *
 * <p>The SFU does not own the {@link MediaTransportServer}: start it before and stop it after the SFU.
 */
public final class Sfu implements AutoCloseable {
    private final SfuConfig config;
    private final MediaTransportServer media;

    public Sfu(SfuConfig config, MediaTransportServer media) {
        this.config = config;
        this.media = media;
    }

    /** Starts the worker threads. */
    public Sfu start() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Joins a participant to a room, creating the room on first join. A participant id already in the room is
     * replaced (the old handle is closed with reason {@code "replaced"}). If the participant may subscribe, the
     * existing tracks it may receive are announced and offered to it right after.
     *
     * @param listener events of this participant, called on the room's worker thread
     * @return completes (on the worker) with the handle; exceptionally with {@link SfuException} ({@code CLOSED}
     *         when the SFU is stopping)
     */
    public CompletableFuture<Participant> join(String roomId, String participantId, MediaRights rights,
                                               ParticipantListener listener) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The open room with this id, if any. */
    public Optional<Room> room(String roomId) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Number of open rooms. */
    public int openRooms() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Micrometer binder for the SFU's counters (rooms, participants, tracks, packets, drops, NACKs, PLIs, queues). */
    public MeterBinder metrics() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public SfuConfig config() { return config; }

    public MediaTransportServer media() { return media; }

    /** Closes every room (participants get {@code onClosed("sfu stopped")}) and stops the workers. */
    public void stop() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
        stop();
    }
}
