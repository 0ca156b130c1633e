package dev.chorus.signaling.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resume credentials of this node's sessions (docs/protocol.md, "Session resume"). Each joined session holds
 * one credential: 256 random bits handed to the client in {@code joined} and rotated by every successful resume,
 * so a credential is good for one resume. Only its SHA-256 is kept (a memory dump does not yield a usable
 * credential) and it is never logged. A session whose connection dropped without a leave is <em>parked</em> here
 * until its deadline; a resume claims it.
 *
 * <p>Spent credentials (used, expired, their session ended) are remembered until the end of the grace window they
 * belonged to, so a refusal names the reason instead of a bare "unknown". State lives in memory only: after a
 * restart every credential is unknown and the client rejoins.
 *
 * <p>Thread-safe (one lock; every operation is a few map updates). Time comes from the clock, so it is testable
 * without waiting; the caller runs the timer that calls {@link #expire}.
 */
public final class ResumeCredentials {
    /** Why a credential does not resume a session; {@link #code} is the wire and audit reason. */
    public enum Refusal {
        UNKNOWN("unknown_credential"),
        USED("credential_used"),
        EXPIRED("resume_expired"),
        ENDED("session_ended"),
        MISMATCH("resume_mismatch"),
        NOT_PARKED("session_connected");

        private final String code;

        Refusal(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** A session waiting for its client to resume, with what its connection held. */
    public record Parked(ParticipantSession session, JoinOutcome.Admitted admitted, Instant deadline) {}

    /** The outcome of a lookup or claim: a session, or why not. */
    public record Lookup(ParticipantSession session, Parked parked, Refusal refusal) {
        public boolean found() {
            return refusal == null;
        }
    }

    private record Entry(ParticipantSession session, Parked parked) {}

    private record Spent(Refusal reason, Instant until) {}

    private static final int CREDENTIAL_BYTES = 32;
    private static final int MAX_SPENT = 100_000;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration grace;
    private volatile boolean stopped;
    private final Map<String, Entry> live = new HashMap<>();        // hash → session
    private final Map<String, String> hashOf = new HashMap<>();     // participant id → its current hash
    /**
     * Hash → why it no longer resumes, oldest first. Every entry is remembered for the same two windows, so the
     * expired ones are always at the front and {@link #spend} drops them there: the map holds the credentials spent
     * in the last two windows, never more than {@link #MAX_SPENT}. (It used to be pruned only at MAX_SPENT entries,
     * about 25 MB of long-expired ones: the 30-minute soak at 20 joins/s saw the heap after GC grow 10 %.)
     */
    private final LinkedHashMap<String, Spent> spent = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Spent> eldest) {
            return size() > MAX_SPENT; // bounded even within a window: the oldest reasons degrade to "unknown"
        }
    };

    public ResumeCredentials(Clock clock, Duration grace) {
        this.clock = clock;
        this.grace = grace;
    }

    /** The window a dropped session is kept for; zero means resume is off. */
    public Duration grace() {
        return grace;
    }

    public boolean enabled() {
        return !grace.isZero() && !grace.isNegative() && !stopped;
    }

    /** The server drains: from now on a dropped session ends at once (parked ones are closed by the caller). */
    public void stopParking() {
        stopped = true;
    }

    /**
     * {@code {"credential":…,"grace":seconds}} of {@code joined} and {@code resumed}: a fresh single-use credential
     * for the session's next resume ({@link #issue}) and the grace window.
     */
    Map<String, Object> clientField(ParticipantSession s) {
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("credential", issue(s));
        r.put("grace", grace().toMillis() / 1000.0);
        return r;
    }

    /** A fresh credential for {@code session}; a credential it held before is spent ({@code credential_used}). */
    public synchronized String issue(ParticipantSession session) {
        byte[] b = new byte[CREDENTIAL_BYTES];
        random.nextBytes(b);
        String credential = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        String hash = hash(credential);
        String old = hashOf.put(session.participantId(), hash);
        if (old != null) {
            live.remove(old);
            spend(old, Refusal.USED);
        }
        live.put(hash, new Entry(session, null));
        return credential;
    }

    /** The session's connection dropped without a leave: keep it until {@code now + grace}. */
    public synchronized Parked park(ParticipantSession session, JoinOutcome.Admitted admitted) {
        String hash = hashOf.get(session.participantId());
        if (hash == null) return null;
        Parked p = new Parked(session, admitted, clock.instant().plus(grace));
        live.put(hash, new Entry(session, p));
        return p;
    }

    /** Which session {@code credential} names, parked or not; nothing changes. */
    public synchronized Lookup lookup(String credential) {
        String hash = hash(credential);
        Entry e = live.get(hash);
        if (e == null) return refused(hash);
        if (e.parked() != null && !clock.instant().isBefore(e.parked().deadline())) {
            return new Lookup(null, null, Refusal.EXPIRED);
        }
        return new Lookup(e.session(), e.parked(), null);
    }

    /**
     * Takes the parked session {@code credential} names, once: the credential is spent and the session is no longer
     * parked (its grace timer must do nothing). The caller issues the next credential once the session is attached.
     */
    public synchronized Lookup claim(String credential) {
        String hash = hash(credential);
        Entry e = live.get(hash);
        if (e == null) return refused(hash);
        if (e.parked() == null) return new Lookup(e.session(), null, Refusal.NOT_PARKED);
        if (!clock.instant().isBefore(e.parked().deadline())) return new Lookup(null, null, Refusal.EXPIRED);
        live.remove(hash);
        hashOf.remove(e.session().participantId(), hash);
        spend(hash, Refusal.USED);
        return new Lookup(e.session(), e.parked(), null);
    }

    /**
     * The grace window of {@code session} passed: returns its parked state if it was still parked (the caller ends
     * the session), null if it was resumed or ended meanwhile.
     */
    public synchronized Parked expire(ParticipantSession session) {
        String hash = hashOf.get(session.participantId());
        if (hash == null) return null;
        Entry e = live.get(hash);
        if (e == null || e.parked() == null || e.session() != session) return null;
        live.remove(hash);
        hashOf.remove(session.participantId());
        spend(hash, Refusal.EXPIRED);
        return e.parked();
    }

    /** The session ended (leave, revocation, close, …): its credential is spent; returns what was parked, if any. */
    public synchronized Parked forget(ParticipantSession session) {
        String hash = hashOf.get(session.participantId());
        if (hash == null) return null;
        Entry e = live.get(hash);
        if (e == null || e.session() != session) return null;
        live.remove(hash);
        hashOf.remove(session.participantId());
        spend(hash, Refusal.ENDED);
        return e.parked();
    }

    /** Credentials that currently resume (for tests and metrics). */
    public synchronized int size() {
        return live.size();
    }

    private Lookup refused(String hash) {
        Spent s = spent.get(hash);
        if (s == null || !clock.instant().isBefore(s.until())) return new Lookup(null, null, Refusal.UNKNOWN);
        return new Lookup(null, null, s.reason());
    }

    private void spend(String hash, Refusal reason) {
        Instant now = clock.instant();
        for (Iterator<Spent> it = spent.values().iterator(); it.hasNext(); ) {
            if (now.isBefore(it.next().until())) break;
            it.remove();
        }
        spent.remove(hash); // to the back, with its new deadline
        // remembered for two windows: a client retrying until its own deadline still learns why
        spent.put(hash, new Spent(reason, now.plus(grace).plus(grace)));
    }

    /** Spent credentials whose reason is still remembered (for tests). */
    synchronized int spentRemembered() {
        return spent.size();
    }

    static String hash(String credential) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
