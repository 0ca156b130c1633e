package dev.chorus.signaling.auth;

import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.store.Store;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The hot reads of join-token verification (key, project, jti deny-list, subject watermark, room) kept on the node,
 * so a join on PostgreSQL costs no loopback round trip more than on SQLite (docs/cluster.md "Verification cache").
 *
 * <p>Correctness comes from invalidation, not from expiry: every change that can refuse a token (key, jti and
 * subject revocations, room closes) reaches this node as a {@link ProjectEvents} callback, from its own services or
 * through the cluster bus, after the store write; the entry is dropped (or the deny-list extended) then. Only what
 * can refuse is cached as known: unknown keys, unknown or closed rooms are always read from the store. The bus is
 * at-most-once, so while it is down ({@code trusted} false) every read goes to the store, and the whole cache is
 * dropped when it comes back (the events of the outage were lost). A read racing an invalidation is not kept
 * (generation check). Entries also expire after {@link #MAX_AGE_NANOS} as a backstop (and for project settings,
 * which no event announces).
 *
 * <p>Off unless {@link #follow}ed (a single node reads its embedded store directly).
 */
public final class VerificationCache implements ProjectEvents {
    static final long MAX_AGE_NANOS = 5_000_000_000L;

    private final Store store;
    private volatile BooleanSupplier trusted = () -> false;
    private volatile boolean wasTrusted;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong storeReads = new AtomicLong();

    private record Entry<T>(T value, long loadedNanos) {
        boolean fresh(long now) {
            return now - loadedNanos < MAX_AGE_NANOS;
        }
    }

    private record Revocations(Set<String> jtis, Map<String, Instant> watermarks, long loadedNanos) {}

    private final ConcurrentHashMap<String, Entry<ProjectKey>> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry<Project>> projects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry<Room>> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Revocations> revocations = new ConcurrentHashMap<>();

    public VerificationCache(Store store) {
        this.store = store;
    }

    /** Caches while {@code busConnected} is true (the node receives every change); reads through otherwise. */
    public void follow(BooleanSupplier busConnected) {
        clear();
        this.trusted = busConnected;
    }

    /** Store reads made through this cache (hits make none): what a join costs in round trips. */
    public long storeReads() {
        return storeReads.get();
    }

    private boolean on() {
        boolean up = trusted.getAsBoolean();
        if (up != wasTrusted) {
            clear(); // going down: stop trusting; coming back: the outage's events were lost
            wasTrusted = up;
        }
        return up;
    }

    private void clear() {
        generation.incrementAndGet();
        keys.clear();
        projects.clear();
        rooms.clear();
        revocations.clear();
    }

    public Optional<ProjectKey> key(String kid) {
        if (!on()) return read(() -> store.key(kid));
        Entry<ProjectKey> e = keys.get(kid);
        long now = System.nanoTime();
        if (e != null && e.fresh(now)) return Optional.of(e.value());
        long g = generation.get();
        Optional<ProjectKey> k = read(() -> store.key(kid));
        if (k.isPresent() && k.get().state().canVerify() && generation.get() == g) keys.put(kid, new Entry<>(k.get(), now));
        return k;
    }

    public Optional<Project> project(String projectId) {
        if (!on()) return read(() -> store.project(projectId));
        Entry<Project> e = projects.get(projectId);
        long now = System.nanoTime();
        if (e != null && e.fresh(now)) return Optional.of(e.value());
        long g = generation.get();
        Optional<Project> p = read(() -> store.project(projectId));
        if (p.isPresent() && generation.get() == g) projects.put(projectId, new Entry<>(p.get(), now));
        return p;
    }

    public Optional<Room> room(String projectId, String roomId) {
        if (!on()) return read(() -> store.room(projectId, roomId));
        String k = projectId + '\0' + roomId;
        Entry<Room> e = rooms.get(k);
        long now = System.nanoTime();
        if (e != null && e.fresh(now)) return Optional.of(e.value());
        long g = generation.get();
        Optional<Room> r = read(() -> store.room(projectId, roomId));
        if (r.isPresent() && r.get().isOpen() && generation.get() == g) rooms.put(k, new Entry<>(r.get(), now));
        return r;
    }

    public boolean isTokenRevoked(String projectId, String jti) {
        if (!on()) return read(() -> store.isTokenRevoked(projectId, jti));
        return revocations(projectId).jtis().contains(jti);
    }

    public Optional<Instant> subjectWatermark(String projectId, String subject) {
        if (!on()) return read(() -> store.subjectWatermark(projectId, subject));
        return Optional.ofNullable(revocations(projectId).watermarks().get(subject));
    }

    private Revocations revocations(String projectId) {
        Revocations r = revocations.get(projectId);
        long now = System.nanoTime();
        if (r != null && now - r.loadedNanos() < MAX_AGE_NANOS) return r;
        long g = generation.get();
        Set<String> jtis = Set.copyOf(read(() -> store.revokedTokens(projectId)));
        Map<String, Instant> marks = Map.copyOf(read(() -> store.subjectWatermarks(projectId)));
        Revocations fresh = new Revocations(jtis, marks, now);
        if (generation.get() == g) revocations.put(projectId, fresh);
        return fresh;
    }

    private <T> T read(java.util.function.Supplier<T> s) {
        storeReads.incrementAndGet();
        return s.get();
    }

    // ---- invalidation: called after the store write, by this node's services or by the bus

    @Override
    public void keyRevoked(String projectId, String kid) {
        generation.incrementAndGet();
        keys.remove(kid);
    }

    @Override
    public void tokenRevoked(String projectId, String jti) {
        generation.incrementAndGet();
        revocations.remove(projectId); // reloaded whole on the next join: exactly what the store holds
    }

    @Override
    public void subjectRevoked(String projectId, String subject, Instant issuedAtOrBefore) {
        generation.incrementAndGet();
        revocations.remove(projectId);
    }

    @Override
    public void roomClosed(String projectId, String roomId) {
        generation.incrementAndGet();
        rooms.remove(projectId + '\0' + roomId);
    }
}
