package dev.chorus.signaling.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.chorus.signaling.auth.AccessConditions;
import dev.chorus.signaling.auth.PeerPolicy;
import dev.chorus.signaling.http.Json;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted participant and its WebSocket. Created only after the join token was accepted. Thread-safe: sends
 * and closes go through the channel, which serialises them on its event loop. Other planes (media) keep their
 * per-session state in {@link #attributes()}.
 */
public final class ParticipantSession {
    private final String participantId;
    private final String projectId;
    private final String room;
    private final String identity;
    private final boolean p2p;
    /** What the current token says; replaced as a whole on refresh. */
    private record TokenInfo(List<String> rights, String keyId, String tokenId, Instant issuedAt, Instant expiresAt,
                             List<String> groups, PeerPolicy policy, String meta, AccessConditions conditions,
                             String name) {}

    /**
     * Messages sent before {@code joined} wait here: the room's current tracks and the first subscriber offer, so a
     * few per participant already in the room. Bounded; a session that would exceed it is closed (1011) rather than
     * silently missing a message.
     */
    private static final int MAX_HELD = 4096;
    private boolean heldOverflow;

    private volatile TokenInfo token;
    private final String sourceIp;
    private final Instant joinedAt;
    /** The current connection; replaced when the client resumes the session on a new one. */
    private volatile Channel channel;
    /** The connection dropped and the session waits for a resume: messages are held, as before {@code joined}. */
    private volatile boolean detached;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private ArrayDeque<String> held = new ArrayDeque<>(); // null once joined was sent
    private final List<Runnable> closeHooks = new ArrayList<>();
    private volatile String closeReason; // the server's reason when it closed the session; null: the client left

    public ParticipantSession(JoinOutcome.Admitted a, String sourceIp, Instant joinedAt, Channel channel) {
        this.participantId = a.participantId();
        this.projectId = a.projectId();
        this.room = a.room();
        this.identity = a.identity();
        this.p2p = a.p2p();
        this.token = info(a);
        this.sourceIp = sourceIp;
        this.joinedAt = joinedAt;
        this.channel = channel;
    }

    public String participantId() { return participantId; }
    public String projectId() { return projectId; }
    public String room() { return room; }
    public String identity() { return identity; }
    /** A private peer-to-peer room's session (the token's {@code p2p} claim; fixed for the session, docs/p2p.md). */
    public boolean p2p() { return p2p; }
    public List<String> rights() { return token.rights(); }
    public String keyId() { return token.keyId(); }
    public String tokenId() { return token.tokenId(); }
    public Instant issuedAt() { return token.issuedAt(); }
    public Instant expiresAt() { return token.expiresAt(); }
    /** The token's {@code grp} labels. */
    public List<String> groups() { return token.groups(); }
    /** The token's peer policy. */
    public PeerPolicy policy() { return token.policy(); }
    /** The token's {@code meta} claim as compact JSON text, or null. */
    public String meta() { return token.meta(); }
    /** The token's {@code name} claim (display name), or null. */
    public String name() { return token.name(); }
    /** The token's {@code cond} claim (ABAC), re-checked during the session. */
    public AccessConditions conditions() { return token.conditions(); }

    private static TokenInfo info(JoinOutcome.Admitted a) {
        return new TokenInfo(List.copyOf(a.rights()), a.keyId(), a.tokenId(), a.issuedAt(), a.expiresAt(),
                a.groups(), a.policy(), a.meta(), a.conditions(), a.name());
    }

    /** A refresh token for the same project, room and identity was accepted: its rights and expiry apply now. */
    void renew(JoinOutcome.Admitted a) {
        if (!a.projectId().equals(projectId) || !a.room().equals(room) || !a.identity().equals(identity)) {
            throw new IllegalArgumentException("refresh token is for another participant");
        }
        this.token = info(a);
    }
    public String sourceIp() { return sourceIp; }
    /** Why the session ended: the server's close reason, or {@code "disconnected"} when the client went away. */
    public String closeReason() { String r = closeReason; return r == null ? "disconnected" : r; }
    public Instant joinedAt() { return joinedAt; }
    public Map<String, Object> attributes() { return attributes; }

    public boolean hasRight(String scope) {
        return token.rights().contains(scope);
    }

    /** Connected, or waiting for its client to resume (docs/protocol.md, "Session resume"), and not closing. */
    public boolean isOpen() {
        return !closing.get() && (detached || channel.isActive());
    }

    /** Whether the session is parked: its connection dropped and its client may still resume it. */
    public boolean detached() {
        return detached;
    }

    /**
     * Sends one JSON message (a record or a map). Callable from any thread: messages go out in the order of the
     * calls (every write is queued on the channel's event loop, also from the loop itself, so a write from another
     * thread is never overtaken). Before {@code joined} has been sent, messages are held back and follow it.
     */
    public void send(Object message) {
        String text;
        try {
            text = Json.mapper().writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message not serialisable", e);
        }
        synchronized (sendLock) {
            if (closing.get()) return;
            if (held != null) {
                if (held.size() < MAX_HELD) held.add(text);
                else heldOverflow = true;
                return;
            }
            write(text);
        }
    }

    private void write(String text) {
        Channel c = channel;
        if (!c.isActive()) return;
        c.eventLoop().execute(() -> {
            if (c.isActive()) c.writeAndFlush(new TextWebSocketFrame(text));
        });
    }

    /** Sends {@code joined}, then whatever was held back while the session was starting. */
    void sendJoined(Object joined) {
        if (!release(channel, joined)) { // outside the lock: close hooks may send to other sessions
            close(WsCloseCodes.INTERNAL_ERROR, "too many events before joined");
        }
    }

    /**
     * The connection dropped without a leave and the session is parked for a resume: from now on messages are held
     * (bounded like before {@code joined}) until {@link #attach} hands them to the new connection.
     */
    void detach() {
        synchronized (sendLock) {
            if (held == null) held = new ArrayDeque<>();
            detached = true;
        }
    }

    /**
     * The client resumed on {@code newChannel}: sends {@code first} ({@code resumed}) on it, then every message held
     * while the session was parked, in order. Returns false (nothing sent) if more were held than the bound allows:
     * the client's view could not be made whole, so the caller ends the session.
     */
    boolean attach(Channel newChannel, Object first) {
        synchronized (sendLock) {
            channel = newChannel;
            detached = false;
        }
        return release(newChannel, first);
    }

    private boolean release(Channel on, Object first) {
        String text;
        try {
            text = Json.mapper().writeValueAsString(first);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message not serialisable", e);
        }
        synchronized (sendLock) {
            if (heldOverflow) return false;
            ArrayDeque<String> before = held;
            held = null;
            if (!closing.get() && on.isActive()) {
                write(text);
                if (before != null) before.forEach(this::write);
            }
        }
        return true;
    }

    /**
     * Closes the current connection without a close handshake, as a lost network does (the client sees 1006). The
     * session is not closed: with resume on it is parked like any dropped connection. Used when a client resumes
     * while its old connection still looks alive to the server (a network change leaves it half-open).
     */
    public void dropConnection() {
        Channel c = channel;
        c.eventLoop().execute(c::close);
    }

    /** Whether the server (or a leave) decided to close the session, as opposed to the connection just dropping. */
    boolean closedOnPurpose() {
        return closeReason != null;
    }

    /**
     * Runs {@code hook} once when the session is closed by the server (revocation, room close, removal, policy, …)
     * or, at the latest, when its connection is gone; at once if it is already closing.
     */
    public void onClose(Runnable hook) {
        synchronized (closeHooks) {
            if (!closing.get()) {
                closeHooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /** Closes the session once with a close code from {@link WsCloseCodes} and a short reason. */
    public void close(int code, String reason) {
        if (!closing.get() && closeReason == null) closeReason = reason; // before the close hooks read it
        if (!markClosing()) return;
        Channel c = channel;
        if (c.isActive() && !detached) {
            // queued behind messages already sent, so the client gets them before the close frame
            c.eventLoop().execute(() -> WsClose.send(c, code, reason));
        }
    }

    /** The connection is gone (or the session was closed): run the close hooks once. */
    boolean markClosing() {
        List<Runnable> hooks;
        synchronized (closeHooks) {
            if (!closing.compareAndSet(false, true)) return false;
            hooks = List.copyOf(closeHooks);
            closeHooks.clear();
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ParticipantSession.class)
                        .warn("event=session_close_hook_failed error={}", e.getClass().getName());
            }
        }
        return true;
    }

    /**
     * Runs {@code task} once after {@code delay} on this session's event loop (a timer, no thread of its own). The
     * task must not block: hand blocking work to an executor. Cancel the returned future when it is no longer due.
     */
    public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, java.time.Duration delay) {
        return channel.eventLoop().schedule(task, Math.max(0, delay.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "ParticipantSession[" + participantId + " room=" + room + "]";
    }
}
