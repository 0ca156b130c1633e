package dev.chorus.media.sfu;

import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.transport.MediaChannel;
import dev.chorus.media.transport.MediaNetwork;
import dev.chorus.media.transport.MediaTransportServer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(Sfu.class);

    private final SfuConfig config;
    private final MediaNetwork media;
    private final LongSupplier clock;
    private final Worker[] workers;
    private final ConcurrentHashMap<String, RoomImpl> rooms = new ConcurrentHashMap<>();
    private final AtomicLong roomsCreated = new AtomicLong();
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile Sdp.Fingerprint sdpFingerprint;

    /** @param media the network the SFU's transports run on: a {@link MediaTransportServer}, or one without sockets */
    public Sfu(SfuConfig config, MediaNetwork media) {
        this(config, media, System::nanoTime);
    }

    /** @param clock monotonic nanoseconds for the workers' timers and budgets (tests may pass their own) */
    public Sfu(SfuConfig config, MediaNetwork media, LongSupplier clock) {
        this.config = config;
        this.media = media;
        this.clock = clock;
        this.workers = new Worker[config.workers()];
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            workers[i] = new Worker(i, config, clock, media != null ? () -> media.flush(index) : () -> { });
        }
    }

    /** Starts the worker threads. */
    public synchronized Sfu start() {
        if (started) throw new IllegalStateException("already started");
        started = true;
        for (Worker w : workers) w.start();
        LOG.info("sfu started with {} workers", workers.length);
        return this;
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
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(rights, "rights");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<Participant> f = new CompletableFuture<>();
        join(roomId, participantId, rights, listener, f, 0);
        return f;
    }

    private void join(String roomId, String participantId, MediaRights rights, ParticipantListener listener,
                      CompletableFuture<Participant> f, int attempt) {
        if (stopped || !started) {
            f.completeExceptionally(new SfuException(SfuException.Code.CLOSED, "sfu not running"));
            return;
        }
        RoomImpl room = rooms.computeIfAbsent(roomId, id -> {
            Worker w = leastLoaded(id);
            w.roomCount.incrementAndGet();
            roomsCreated.incrementAndGet();
            RoomImpl r = new RoomImpl(id, w, this);
            w.execute(() -> w.addRoom(r));
            return r;
        });
        room.worker.execute(() -> {
            if (room.isClosed()) {
                // Closed between lookup and this task: the next lookup creates a fresh room.
                if (attempt < 3) join(roomId, participantId, rights, listener, f, attempt + 1);
                else f.completeExceptionally(new SfuException(SfuException.Code.CLOSED, "room closing"));
                return;
            }
            try {
                f.complete(room.join(participantId, rights, listener));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
    }

    private Worker leastLoaded(String roomId) {
        int start = Math.floorMod(roomId.hashCode(), workers.length);
        Worker best = workers[start];
        for (int i = 1; i < workers.length; i++) {
            Worker w = workers[(start + i) % workers.length];
            if (w.roomCount.get() < best.roomCount.get()) best = w;
        }
        return best;
    }

    /** The open room with this id, if any. */
    public Optional<Room> room(String roomId) {
        RoomImpl r = rooms.get(roomId);
        return r == null || r.isClosed() ? Optional.empty() : Optional.of(r);
    }

    /** Number of open rooms. */
    public int openRooms() {
        return rooms.size();
    }

    /** The distribution of subscribers' bandwidth estimates, once metrics are bound (else null). */
    private volatile io.micrometer.core.instrument.DistributionSummary estimates;

    void estimatesTo(io.micrometer.core.instrument.DistributionSummary summary) {
        estimates = summary;
    }

    /** Worker: one subscriber's current estimate (each subscriber once a second; not per packet). */
    void recordEstimate(long bps) {
        io.micrometer.core.instrument.DistributionSummary s = estimates;
        if (s != null) s.record(bps / 8.0); // bytes per second: Prometheus' base unit
    }

    /** Micrometer binder for the SFU's counters (rooms, participants, tracks, packets, drops, NACKs, PLIs, queues). */
    public MeterBinder metrics() {
        return new SfuMetrics(this);
    }

    public SfuConfig config() { return config; }

    public MediaNetwork media() { return media; }

    /** Per-worker counters (read racily; for metrics and tests). */
    public List<SfuCounters> counters() {
        List<SfuCounters> list = new ArrayList<>();
        for (Worker w : workers) list.add(w.counters);
        return list;
    }

    /**
     * The data relay counters of the workers (one per worker, shared by its rooms), for
     * {@link dev.chorus.media.datarelay.DataRelayMetrics}.
     */
    public List<dev.chorus.media.datarelay.DataRelayCounters> dataCounters() {
        List<dev.chorus.media.datarelay.DataRelayCounters> out = new ArrayList<>(workers.length);
        for (Worker w : workers) out.add(w.dataCounters);
        return List.copyOf(out);
    }

    /**
     * The inbound SRTP counters of the workers: transports attached to the SFU authenticate and decrypt on their
     * room's worker and count there, not in {@link MediaTransportServer#srtpStats()} (the metrics add both).
     */
    public List<dev.chorus.media.srtp.SrtpStats> inboundSrtpStats() {
        List<dev.chorus.media.srtp.SrtpStats> out = new ArrayList<>(workers.length);
        for (Worker w : workers) out.add(w.inboundSrtp);
        return List.copyOf(out);
    }

    public long sum(java.util.function.ToLongFunction<SfuCounters> counter) {
        long total = 0;
        for (Worker w : workers) total += counter.applyAsLong(w.counters);
        return total;
    }

    /** Published packets whose {@code stage} delay ("queued": hand-over to pick-up, "sent": hand-over to flushed) was within {@code bucket}, all workers. */
    long delayCount(boolean sent, int bucket) {
        long total = 0;
        for (Worker w : workers) total += (sent ? w.residence : w.queueDelay).cumulativeCount(bucket);
        return total;
    }

    int participantCount() {
        int n = 0;
        for (Worker w : workers) n += w.participants;
        return n;
    }

    int trackCount() {
        int n = 0;
        for (Worker w : workers) n += w.tracks;
        return n;
    }

    Worker[] workers() { return workers; }

    /** Closes every room (participants get {@code onClosed("sfu stopped")}) and stops the workers. */
    public void stop() {
        synchronized (this) {
            if (stopped || !started) {
                stopped = true;
                return;
            }
            stopped = true;
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (RoomImpl r : List.copyOf(rooms.values())) closing.add(r.close("sfu stopped"));
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("sfu stop: rooms did not close in time");
        }
        for (Worker w : workers) {
            try {
                w.stop(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---- for rooms (worker threads) ---------------------------------------------------------------------------------

    void forget(RoomImpl room) {
        rooms.remove(room.id, room);
        room.worker.roomCount.decrementAndGet();
    }

    Sdp.Fingerprint sdpFingerprint() {
        Sdp.Fingerprint fp = sdpFingerprint;
        if (fp == null) {
            Fingerprint f = media.localFingerprint();
            fp = new Sdp.Fingerprint(Fingerprint.SHA_256, f.hex());
            sdpFingerprint = fp;
        }
        return fp;
    }

    int maxStreamsPerTransport() {
        return media == null ? Integer.MAX_VALUE : media.maxStreamsPerTransport();
    }

    List<InetSocketAddress> candidates() {
        return media.candidates();
    }

    /** Worker: a transport of {@code p}, decrypted by its worker; null when the media server is full. */
    Endpoint openTransport(ParticipantImpl p, TransportRole role, IceCredentials local, String remoteUfrag,
                           Fingerprint remoteFingerprint) {
        Endpoint ep = new Endpoint(p.worker, p, role);
        MediaChannel channel = media.open(p.worker.index, local, remoteUfrag, remoteFingerprint, p.worker.inboundSrtp, ep);
        if (channel == null) return null;
        ep.link = channel;
        return ep;
    }
}
