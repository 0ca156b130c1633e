package dev.chorus.media.ice;

import dev.chorus.stun.StunAttributes;
import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sans-IO ICE-lite agent for one transport (RFC 8445 §2.5, §7.3 as seen from a lite, always-controlled agent).
 *
 * <p>It is fed Binding requests already parsed by the {@link StunRouter} plus the source address and a clock
 * ({@code nowNanos}); it answers only a request whose USERNAME is {@code localUfrag:remoteUfrag}, whose
 * MESSAGE-INTEGRITY verifies with the local password and whose FINGERPRINT, if present, verifies. A valid check
 * validates its source 5-tuple (the socket's local address is fixed, so the source address identifies the 5-tuple).
 *
 * <p>Nomination and moves: a valid check with USE-CANDIDATE nominates its 5-tuple and makes it the
 * {@linkplain #selectedAddress() selected address} (regular nomination; Chromium as controlling agent also sends
 * USE-CANDIDATE again when it switches pairs, e.g. after a network change). A valid check without USE-CANDIDATE
 * from a new 5-tuple only validates it (DTLS/SRTP from it are accepted per {@link #isValidated}); the selected
 * address follows a moving client only once a valid check with USE-CANDIDATE arrives from the new 5-tuple.
 *
 * <p>Consent freshness (RFC 7675): a lite agent sends no checks, so consent is the peer's periodic checks. If no
 * valid check arrives for {@link #CONSENT_TIMEOUT_NANOS} (counted from creation, then from the last valid check),
 * {@link #tick} reports {@link State#EXPIRED}; an expired agent validates nothing and answers nothing. Each
 * validated 5-tuple also ages out individually after the same timeout.
 *
 * <p>Threading: confined to the I/O thread that owns the UDP socket (no locks), except {@link #close()}, which any
 * thread (e.g. signaling) may call, and {@link #selectedAddress()} / {@link #state()}, which any thread may read.
 */
public final class IceLiteAgent {
    /** RFC 7675: consent lost after 30 s without a valid check. */
    public static final long CONSENT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Upper bound of remembered validated 5-tuples per transport (least recently checked is evicted). */
    public static final int MAX_VALIDATED_ADDRESSES = 8;

    /** Lifecycle of the transport as far as ICE knows. */
    public enum State {
        /** Created by signaling; no valid check yet. */
        NEW,
        /** At least one 5-tuple validated and consent is fresh. */
        CONNECTED,
        /** No valid check for 30 s: the transport must be closed. */
        EXPIRED,
        /** Closed by its owner. */
        CLOSED
    }

    /**
     * The credentials of the current ICE generation: replaced as a whole by {@link #restart} (signaling thread),
     * read once per check by the owner thread, so a check is verified against one consistent generation.
     */
    private record Generation(IceCredentials local, String remoteUfrag, byte[] remoteUfragBytes,
                              byte[] localUfragBytes, StunKey key) {
        static Generation of(IceCredentials local, String remoteUfrag) {
            if (remoteUfrag == null || remoteUfrag.isEmpty() || remoteUfrag.length() > 256) {
                throw new IllegalArgumentException("remote ufrag required");
            }
            return new Generation(local, remoteUfrag, remoteUfrag.getBytes(StandardCharsets.UTF_8),
                    local.ufrag().getBytes(StandardCharsets.US_ASCII), StunKey.shortTerm(local.pwd()));
        }
    }

    private volatile Generation generation;
    private volatile long restarts;

    private final InetSocketAddress[] validated = new InetSocketAddress[MAX_VALIDATED_ADDRESSES];
    private final long[] validatedAt = new long[MAX_VALIDATED_ADDRESSES];
    private int validatedCount;
    private volatile InetSocketAddress selected;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private long lastValidCheckNanos;

    // Counters: plain fields written by the owning thread, read by a metrics binder.
    private long validChecks;
    private long nominations;
    private long roleConflicts;
    private final long[] drops = new long[IceCheckResult.values().length];

    /**
     * @param local fresh local credentials (see {@link IceCredentials#generate()})
     * @param remoteUfrag the peer's ufrag from its SDP
     * @param nowNanos creation time on the same clock as later calls (consent starts here)
     */
    public IceLiteAgent(IceCredentials local, String remoteUfrag, long nowNanos) {
        this.generation = Generation.of(local, remoteUfrag);
        this.lastValidCheckNanos = nowNanos;
    }

    /** Local credentials of the current generation (for the SDP answer). */
    public IceCredentials localCredentials() {
        return generation.local();
    }

    /** Local ufrag of the current generation. */
    public String localUfrag() {
        return generation.local().ufrag();
    }

    /** Remote ufrag of the current generation. */
    public String remoteUfrag() {
        return generation.remoteUfrag();
    }

    byte[] localUfragBytes() {
        return generation.localUfragBytes();
    }

    /**
     * ICE restart (RFC 8445 §9, as a lite agent): from now on only checks with the new credentials are answered.
     * The transport itself (DTLS, SRTP, the validated 5-tuples and the selected one) is kept, so media flows on
     * the previous path until the peer's checks on the new generation nominate a pair. Called by the
     * {@link IceDirectory} (which re-keys the agent under its new ufrag), from the signaling or worker thread.
     */
    void restart(IceCredentials local, String remoteUfrag) {
        generation = Generation.of(local, remoteUfrag);
        restarts++;
    }

    /** ICE restarts applied to this agent. */
    public long restarts() {
        return restarts;
    }

    /**
     * Handles a Binding request whose USERNAME's local part already matched this agent (the router does that).
     * Checks the remote part, MESSAGE-INTEGRITY and FINGERPRINT, then writes a response into {@code out} with
     * {@code writer}. Nothing is written for a drop.
     *
     * @param colon position of ':' inside the USERNAME value
     */
    IceCheckResult handle(StunMessage req, int usernameIndex, int colon, InetSocketAddress source, long nowNanos,
                          ByteBuf out, StunWriter writer) {
        Generation g = generation;
        IceCheckResult r = check(g, req, usernameIndex, colon, nowNanos);
        if (r != IceCheckResult.RESPONDED) {
            drops[r.ordinal()]++;
            return r;
        }
        // RFC 8445 §7.3.1.1: a lite agent is always controlled and cannot switch to controlling, so a peer that also
        // claims the controlled role gets 487 and keeps trying (it is the one that must switch). ICE-CONTROLLING from
        // the peer is the normal case; neither attribute (a legacy peer) is tolerated as controlling.
        if (req.has(StunAttributes.ICE_CONTROLLED)) {
            roleConflicts++;
            writer.beginResponse(out, StunMessageType.BINDING_ERROR, req)
                    .addErrorCode(487, "Role Conflict")
                    .addMessageIntegrity(g.key())
                    .addFingerprint();
            writer.finish();
            return IceCheckResult.ROLE_CONFLICT;
        }
        validChecks++;
        lastValidCheckNanos = nowNanos;
        remember(source, nowNanos);
        if (req.has(StunAttributes.USE_CANDIDATE)) {
            if (!source.equals(selected)) {
                nominations++;
            }
            selected = source;
        }
        if (state.get() == State.NEW) {
            state.compareAndSet(State.NEW, State.CONNECTED); // never resurrects a transport closed meanwhile
        }
        writer.beginResponse(out, StunMessageType.BINDING_SUCCESS, req)
                .addXorMappedAddress(source)
                .addMessageIntegrity(g.key())
                .addFingerprint();
        writer.finish();
        return IceCheckResult.RESPONDED;
    }

    private IceCheckResult check(Generation g, StunMessage req, int usernameIndex, int colon, long nowNanos) {
        byte[] remoteUfragBytes = g.remoteUfragBytes();
        State s = state.get();
        if (s == State.EXPIRED || s == State.CLOSED || expiredAt(nowNanos)) {
            return IceCheckResult.EXPIRED;
        }
        // Remote part of USERNAME must be exactly the remote ufrag.
        int remoteLen = req.attributeLength(usernameIndex) - colon - 1;
        if (remoteLen != remoteUfragBytes.length) {
            return IceCheckResult.WRONG_REMOTE_UFRAG;
        }
        ByteBuf b = req.buffer();
        int off = req.attributeOffset(usernameIndex) + colon + 1;
        for (int k = 0; k < remoteLen; k++) {
            if (b.getByte(off + k) != remoteUfragBytes[k]) {
                return IceCheckResult.WRONG_REMOTE_UFRAG;
            }
        }
        if (req.messageIntegrityIndex() < 0) {
            return IceCheckResult.MISSING_INTEGRITY;
        }
        if (!StunIntegrity.verifyMessageIntegrity(req, g.key())) {
            return IceCheckResult.BAD_INTEGRITY;
        }
        if (req.fingerprintIndex() >= 0 && !StunIntegrity.verifyFingerprint(req)) {
            return IceCheckResult.BAD_FINGERPRINT;
        }
        return IceCheckResult.RESPONDED;
    }

    private boolean expiredAt(long nowNanos) {
        if (nowNanos - lastValidCheckNanos >= CONSENT_TIMEOUT_NANOS) {
            expire();
            return true;
        }
        return false;
    }

    /** Owner thread only: forget every 5-tuple and move NEW/CONNECTED to EXPIRED. */
    private void expire() {
        State s;
        while ((s = state.get()) == State.NEW || s == State.CONNECTED) {
            if (state.compareAndSet(s, State.EXPIRED)) {
                break;
            }
        }
        selected = null;
        java.util.Arrays.fill(validated, null);
        validatedCount = 0;
    }

    private void remember(InetSocketAddress source, long nowNanos) {
        for (int i = 0; i < validatedCount; i++) {
            if (validated[i].equals(source)) {
                validatedAt[i] = nowNanos;
                return;
            }
        }
        if (validatedCount < validated.length) {
            validated[validatedCount] = source;
            validatedAt[validatedCount++] = nowNanos;
            return;
        }
        // Full: evict the least recently checked 5-tuple that is not the selected one.
        int victim = -1;
        InetSocketAddress sel = selected;
        for (int i = 0; i < validatedCount; i++) {
            if (!validated[i].equals(sel) && (victim < 0 || validatedAt[i] < validatedAt[victim])) {
                victim = i;
            }
        }
        validated[victim] = source;
        validatedAt[victim] = nowNanos;
    }

    /**
     * True if {@code address} passed a valid check within the consent timeout and the transport is alive:
     * DTLS and SRTP from any other 5-tuple must be dropped (SECURITY-CHECKLIST 33).
     */
    public boolean isValidated(InetSocketAddress address) {
        if (state.get() != State.CONNECTED || address == null) {
            return false;
        }
        for (int i = 0; i < validatedCount; i++) {
            if (address.equals(validated[i])) {
                return true;
            }
        }
        return false;
    }

    /** The nominated 5-tuple's remote address to send media to, or null before nomination or after expiry. */
    public InetSocketAddress selectedAddress() {
        return state.get() == State.CONNECTED ? selected : null;
    }

    /** Current state. */
    public State state() {
        return state.get();
    }

    /**
     * Advances the clock: expires consent after 30 s without a valid check and ages out stale 5-tuples.
     *
     * @return the state after the tick; {@link State#EXPIRED} means the owner must close the transport
     */
    public State tick(long nowNanos) {
        State current = state.get();
        if (current == State.CLOSED) {
            if (validatedCount > 0) { // closed by another thread: the owner drops the 5-tuples here
                expire();
            }
        } else if (current == State.NEW || current == State.CONNECTED) {
            if (!expiredAt(nowNanos)) {
                int w = 0;
                InetSocketAddress sel = selected;
                for (int i = 0; i < validatedCount; i++) {
                    if (nowNanos - validatedAt[i] < CONSENT_TIMEOUT_NANOS) {
                        validated[w] = validated[i];
                        validatedAt[w++] = validatedAt[i];
                    } else if (validated[i].equals(sel)) {
                        selected = null;
                    }
                }
                for (int i = w; i < validatedCount; i++) {
                    validated[i] = null;
                }
                validatedCount = w;
            }
        }
        return state.get();
    }

    /**
     * Marks the agent closed: from now on nothing is validated or answered. Safe from any thread; the owner thread
     * forgets the remembered 5-tuples on its next {@link #tick}.
     */
    public void close() {
        state.set(State.CLOSED);
        selected = null;
    }

    /** Number of validated 5-tuples currently remembered (bounded by {@link #MAX_VALIDATED_ADDRESSES}). */
    public int validatedCount() {
        return validatedCount;
    }

    /** Valid checks answered with a success response. */
    public long validChecks() {
        return validChecks;
    }

    /** Times the selected 5-tuple changed by nomination. */
    public long nominations() {
        return nominations;
    }

    /** 487 responses sent. */
    public long roleConflicts() {
        return roleConflicts;
    }

    /** Drops at this agent for {@code reason} (WRONG_REMOTE_UFRAG, MISSING_INTEGRITY, BAD_INTEGRITY, ...). */
    public long drops(IceCheckResult reason) {
        return drops[reason.ordinal()];
    }

    @Override
    public String toString() {
        return "IceLiteAgent[" + localUfrag() + ", " + state + "]";
    }
}
