package dev.chorus.signaling.p2p;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.TrackInfo;
import dev.chorus.media.sfu.TrackKind;
import dev.chorus.signaling.call.CallService;
import dev.chorus.signaling.call.CallSettings;
import dev.chorus.signaling.call.IceServerProvider;
import dev.chorus.signaling.call.Messages;
import dev.chorus.signaling.call.PeerSelector;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.signaling.ws.ProtocolError;
import dev.chorus.signaling.ws.SessionLifecycle;
import dev.chorus.signaling.ws.SessionRefusedException;
import dev.chorus.signaling.ws.SignalingProtocol;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.webhook.EventSink;
import dev.chorus.signaling.webhook.WebhookActor;
import dev.chorus.signaling.webhook.WebhookEventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Private peer-to-peer rooms (PulseBeam's model, docs/p2p.md). A session whose token carries {@code "p2p": true}
 * never enters the SFU: the room takes two participants at most, the server forwards their descriptions and
 * candidates to each other with the sender's identity attached ({@code p2pOffer}, {@code p2pAnswer},
 * {@code p2pCandidate}, {@code p2pMute}) and hands each a TURN credential whose allocations reach only the other
 * peer's relayed addresses ({@link P2pRelay}). The peers' DTLS runs end to end: the server never holds their keys
 * and never sees their media in clear.
 *
 * <p>Every other session goes to the SFU's call layer ({@code sfu}) unchanged. A room name is either an SFU room
 * or a p2p room while it is in use: a join of the other kind is refused ({@code room_mode_mismatch}).
 *
 * <p>Same tokens, peer policies, ACL and revocation as SFU rooms: the server checks what each description sends
 * against the sender's publish rights and the receiver's subscribe rights (peer policy, ACL), a rights change that
 * withdraws what a peer sends closes that peer's session (4004: the server cannot stop end-to-end media any other
 * way), and every way a session ends (leave, revocation of its key, token or subject, room close, removal) also
 * revokes its TURN credential and ends its allocations — the other peer stops receiving at once.
 *
 * <p>Threads: {@link #start}'s blocking part (project lookup, rights, TURN credential issue + audit) runs on the
 * {@code blocking} executor; message handlers run on the connection's event loop and only check and forward.
 */
public final class P2pService implements SessionLifecycle {
    static final String ATTRIBUTE = "p2p";

    private final SessionLifecycle sfu;
    private final BiPredicate<String, String> sfuRoomInUse;
    private final Store store;
    private final IceServerProvider iceServers;
    private final P2pRelay relay;
    private final CallSettings settings;
    private final Executor blocking;
    private final ConcurrentHashMap<String, P2pRoom> rooms = new ConcurrentHashMap<>();
    private volatile Function<ParticipantSession, MediaRights> rightsSource;
    private Map<String, Counter> signals = Map.of();
    private Map<String, Counter> refused = Map.of();
    private volatile EventSink events = EventSink.NONE;

    /**
     * @param sfu          the SFU's call layer, for every session that is not p2p
     * @param sfuRoomInUse (project, room) → the SFU has that room on this node
     */
    public P2pService(SessionLifecycle sfu, BiPredicate<String, String> sfuRoomInUse, Store store,
                      IceServerProvider iceServers, P2pRelay relay, CallSettings settings, Executor blocking) {
        this.sfu = sfu;
        this.sfuRoomInUse = sfuRoomInUse;
        this.store = store;
        this.iceServers = iceServers;
        this.relay = relay;
        this.settings = settings;
        this.blocking = blocking;
    }

    /** Registers {@code p2pOffer}, {@code p2pAnswer}, {@code p2pCandidate} and {@code p2pMute}. */
    public P2pService register(SignalingProtocol protocol) {
        protocol.register("p2pOffer", (s, m) -> onDescription(s, m, "p2pOffer"));
        protocol.register("p2pAnswer", (s, m) -> onDescription(s, m, "p2pAnswer"));
        protocol.register("p2pCandidate", this::onCandidate);
        protocol.register("p2pMute", this::onMute);
        return this;
    }

    /** Live authorization's rights (token ∩ ceiling ∩ overrides, policy and ACL); the token's alone without it. */
    public P2pService rightsSource(Function<ParticipantSession, MediaRights> source) {
        this.rightsSource = source;
        return this;
    }

    /**
     * {@code chorus_p2p_rooms}, {@code chorus_p2p_participants} (gauges), {@code chorus_p2p_signals_total{type}}
     * (forwarded messages) and {@code chorus_p2p_refused_total{reason}} (joins and messages refused).
     */
    public P2pService metrics(MeterRegistry registry) {
        Gauge.builder("chorus.p2p.rooms", rooms, Map::size).description("private peer-to-peer rooms on this node")
                .register(registry);
        Gauge.builder("chorus.p2p.participants", this, P2pService::participants)
                .description("participants of p2p rooms on this node").register(registry);
        Map<String, Counter> s = new LinkedHashMap<>();
        for (String t : List.of("p2pOffer", "p2pAnswer", "p2pCandidate", "p2pMute")) {
            s.put(t, Counter.builder("chorus.p2p.signals").tag("type", t)
                    .description("p2p signaling messages forwarded to the other peer").register(registry));
        }
        Map<String, Counter> r = new LinkedHashMap<>();
        for (String reason : List.of("p2p_room_full", "room_mode_mismatch", "p2p_needs_turn", "publish_not_allowed",
                "peer_not_allowed", "candidate_not_relayed", "permission_revoked")) {
            r.put(reason, Counter.builder("chorus.p2p.refused").tag("reason", reason)
                    .description("p2p joins, descriptions and candidates refused").register(registry));
        }
        this.signals = Map.copyOf(s);
        this.refused = Map.copyOf(r);
        return this;
    }

    /** Room and participant webhook events of p2p rooms, as the SFU's call layer reports them for its rooms. */
    public P2pService events(EventSink sink) {
        this.events = sink == null ? EventSink.NONE : sink;
        return this;
    }

    private void emit(P2pRoom room, WebhookEventType type, WebhookActor actor, Map<String, String> data) {
        Map<String, String> d = new LinkedHashMap<>(data);
        d.put("room", room.roomId);
        d.put("mode", "p2p");
        events.emit(room.projectId, type, actor, d);
    }

    public int participants() {
        int n = 0;
        for (P2pRoom r : rooms.values()) n += r.size();
        return n;
    }

    /** True while a p2p room of that name is in use on this node. */
    public boolean hasRoom(String projectId, String roomId) {
        return rooms.containsKey(key(projectId, roomId));
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Map<String, Object>> start(ParticipantSession session) {
        if (!session.p2p()) {
            if (hasRoom(session.projectId(), session.room())) {
                count(refused, "room_mode_mismatch");
                return CompletableFuture.failedFuture(
                        new SessionRefusedException(WsCloseCodes.JOIN_REFUSED, "room_mode_mismatch"));
            }
            return sfu.start(session);
        }
        return CompletableFuture.supplyAsync(() -> admit(session), blocking);
    }

    /** Blocking part: room mode and size, rights, the TURN credential (audited), pairing, presence. */
    private Map<String, Object> admit(ParticipantSession s) {
        if (!relay.available()) throw refuse(WsCloseCodes.MEDIA_UNAVAILABLE, "p2p_needs_turn");
        int max = store.project(s.projectId()).map(Project::maxParticipantsPerRoom).orElse(0);
        String key = key(s.projectId(), s.room());
        P2pPeer peer;
        boolean started;
        synchronized (rooms) { // one lock for "find or create the room" and "remove it when empty"
            if (sfuRoomInUse.test(s.projectId(), s.room())) throw refuse(WsCloseCodes.JOIN_REFUSED, "room_mode_mismatch");
            started = !rooms.containsKey(key);
            P2pRoom room = rooms.computeIfAbsent(key, k -> new P2pRoom(s.projectId(), s.room()));
            peer = new P2pPeer(s, room, null);
            if (!room.tryAdd(peer, max)) {
                if (room.size() == 0) rooms.remove(key, room);
                throw refuse(WsCloseCodes.ROOM_FULL, "p2p_room_full");
            }
        }
        if (started) emit(peer.room, WebhookEventType.ROOM_STARTED, WebhookActor.participant(s.identity()), Map.of());
        s.attributes().put(ATTRIBUTE, peer);
        s.onClose(() -> leave(peer));
        peer.rights = rightsOf(s);
        relay.prepare(s); // before the credential exists: its allocations reach nobody until paired
        List<Map<String, Object>> ice = iceServers.iceServers(s);
        P2pPeer other;
        synchronized (peer.room) { // atomic per room: each peer sees the other either in joined or as participantJoined
            other = peer.room.other(peer);
            if (peer.session.isOpen()) peer.live();
            if (other != null && other.isLive() && peer.isLive()) relay.pair(other.session, s);
        }
        if (!peer.isLive()) throw refuse(WsCloseCodes.NORMAL, "left");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("mode", "p2p");
        extra.put("participants", other != null && other.isLive() ? List.of(presence(other)) : List.of());
        extra.put("iceServers", ice);
        if (other != null && other.isLive()) {
            // the peer already in the room makes the offer (no glare): it learns about this one now
            other.session.send(Map.of("type", "participantJoined", "participant", presence(peer)));
        }
        emit(peer.room, WebhookEventType.PARTICIPANT_JOINED, WebhookActor.participant(s.identity()),
                Map.of("participantId", s.participantId(), "identity", s.identity()));
        return extra;
    }

    private static Map<String, Object> presence(P2pPeer p) {
        Map<String, Object> m = new LinkedHashMap<>(CallService.presence(p.session));
        m.put("tracks", List.of());
        return m;
    }

    private SessionRefusedException refuse(int code, String reason) {
        count(refused, reason);
        return new SessionRefusedException(code, reason);
    }

    @Override
    public void ended(ParticipantSession session) {
        if (session.attributes().get(ATTRIBUTE) instanceof P2pPeer p) leave(p);
        else if (!session.p2p()) sfu.ended(session);
    }

    @Override
    public Map<String, Object> refreshed(ParticipantSession session) {
        if (!session.p2p()) return sfu.refreshed(session);
        if (!(session.attributes().get(ATTRIBUTE) instanceof P2pPeer)) return Map.of();
        return Map.of("iceServers", iceServers.iceServers(session)); // same session id: still only the partner
    }

    /** A resumed SFU session may owe its client a subscriber offer; a p2p session's peers renegotiate themselves. */
    @Override
    public void resumed(ParticipantSession session) {
        if (!session.p2p()) sfu.resumed(session);
    }

    @Override
    public void refreshApplied(ParticipantSession session) {
        if (!session.p2p()) {
            sfu.refreshApplied(session);
            return;
        }
        if (session.attributes().get(ATTRIBUTE) instanceof P2pPeer p) updateRights(session, rightsOf(session));
    }

    /**
     * New rights of a live session (LiveAuthorization.RightsListener). In a p2p room the server cannot stop media
     * that runs end to end, so when the new rights withdraw a kind a peer is sending (its publish right, or the
     * other's right to receive it), the sending peer's session is closed (4004 {@code permission revoked}): its
     * TURN allocations end with it and the other stops receiving.
     */
    public void updateRights(ParticipantSession session, MediaRights rights) {
        if (!(session.attributes().get(ATTRIBUTE) instanceof P2pPeer p)) return;
        p.rights = rights;
        P2pPeer other = p.room.other(p);
        if (!allowed(p, other, p.sending())) {
            count(refused, "permission_revoked");
            p.session.close(WsCloseCodes.REVOKED, "permission revoked");
        } else if (other != null && !allowed(other, p, other.sending())) {
            count(refused, "permission_revoked");
            other.session.close(WsCloseCodes.REVOKED, "permission revoked");
        }
    }

    /** True if {@code from} may send {@code kinds} to {@code to}. */
    private static boolean allowed(P2pPeer from, P2pPeer to, Set<TrackKind> kinds) {
        return refusal(from, to, kinds) == null;
    }

    /** Why {@code from} may not send {@code kinds} to {@code to}, or null. */
    private static String refusal(P2pPeer from, P2pPeer to, Set<TrackKind> kinds) {
        MediaRights mine = from.rights;
        for (TrackKind k : kinds) {
            if (mine == null || !mine.mayPublish(k)) return "publish_not_allowed";
        }
        for (TrackKind k : kinds) {
            MediaRights theirs = to == null ? null : to.rights;
            if (theirs == null || !theirs.mayReceive(new TrackInfo(from.id(), k.name().toLowerCase(Locale.ROOT), k, false))) {
                return "peer_not_allowed";
            }
        }
        return null;
    }

    private MediaRights rightsOf(ParticipantSession s) {
        var source = rightsSource;
        return source != null ? source.apply(s) : PeerSelector.rights(s, pid -> null);
    }

    private void leave(P2pPeer p) {
        P2pPeer other;
        boolean wasLive;
        synchronized (p.room) {
            wasLive = p.isLive();
            if (!p.end()) return;
            other = p.room.other(p);
        }
        relay.end(p.session); // the session's own credentials are revoked by the close hook of its ICE servers
        boolean finished;
        synchronized (rooms) {
            finished = p.room.remove(p) && rooms.remove(key(p.room.projectId, p.room.roomId), p.room);
        }
        if (wasLive && other != null && other.isLive()) {
            other.session.send(Map.of("type", "participantLeft", "participantId", p.id()));
        }
        if (wasLive) {
            emit(p.room, WebhookEventType.PARTICIPANT_LEFT, WebhookActor.participant(p.session.identity()),
                    Map.of("participantId", p.id(), "identity", p.session.identity(), "reason", p.session.closeReason()));
        }
        if (finished) emit(p.room, WebhookEventType.ROOM_FINISHED, WebhookActor.SYSTEM, Map.of());
    }

    private static String key(String projectId, String roomId) {
        return projectId + "/" + roomId;
    }

    // ---- messages (connection event loop) --------------------------------------------------------------------------

    /** {@code {"type":"p2pOffer"|"p2pAnswer","sdp":"…"}} → the other peer, with {@code from}. */
    private void onDescription(ParticipantSession s, ObjectNode m, String type) throws ProtocolError {
        P2pPeer p = peer(s);
        Messages.onlyFields(m, "type", "sdp");
        JsonNode n = m.get("sdp");
        if (n == null || !n.isTextual() || n.textValue().isEmpty()) {
            throw new ProtocolError("bad_message", "A non-empty string \"sdp\" is required.");
        }
        if (n.textValue().length() > settings.maxSdpBytes()) {
            throw new ProtocolError("sdp_too_large", "The SDP is larger than " + settings.maxSdpBytes() + " characters.");
        }
        P2pPeer other = other(p);
        Set<TrackKind> kinds;
        try {
            kinds = P2pDescriptions.sendingKinds(n.textValue());
        } catch (ProtocolError e) {
            count(refused, e.code());
            throw e;
        }
        String why = refusal(p, other, kinds);
        if (why != null) {
            count(refused, why);
            throw new ProtocolError(why, why.equals("publish_not_allowed")
                    ? "The token does not grant publishing a kind of media this description sends."
                    : "The other participant may not receive a kind of media this description sends.");
        }
        p.sending(kinds);
        forward(p, other, type, Map.of("sdp", n.textValue()));
    }

    /** {@code {"type":"p2pCandidate","candidate":"candidate:…","sdpMid":"0","sdpMLineIndex":0}}. */
    private void onCandidate(ParticipantSession s, ObjectNode m) throws ProtocolError {
        P2pPeer p = peer(s);
        Messages.onlyFields(m, "type", "candidate", "sdpMid", "sdpMLineIndex", "usernameFragment");
        JsonNode c = m.get("candidate");
        if (c == null || !c.isTextual() || c.textValue().length() > 1024) {
            throw new ProtocolError("bad_message", "\"candidate\" must be a string of at most 1024 characters.");
        }
        try {
            P2pDescriptions.checkCandidate(c.textValue());
        } catch (ProtocolError e) {
            count(refused, e.code());
            throw e;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("candidate", c.textValue());
        optionalString(m, "sdpMid", 32, out);
        optionalString(m, "usernameFragment", 256, out);
        JsonNode idx = m.get("sdpMLineIndex");
        if (idx != null && !idx.isNull()) {
            if (!idx.isInt() || idx.intValue() < 0 || idx.intValue() > 127) {
                throw new ProtocolError("bad_message", "\"sdpMLineIndex\" must be an integer 0-127.");
            }
            out.put("sdpMLineIndex", idx.intValue());
        }
        forward(p, other(p), "p2pCandidate", out);
    }

    /** {@code {"type":"p2pMute","trackId":"1","muted":true}}: the other peer learns that a track was (un)muted. */
    private void onMute(ParticipantSession s, ObjectNode m) throws ProtocolError {
        P2pPeer p = peer(s);
        Messages.onlyFields(m, "type", "trackId", "muted");
        String trackId = Messages.string(m, "trackId", 64);
        JsonNode muted = m.get("muted");
        if (muted == null || !muted.isBoolean()) throw new ProtocolError("bad_message", "p2pMute needs a boolean \"muted\".");
        forward(p, other(p), "p2pMute", Map.of("trackId", trackId, "muted", muted.booleanValue()));
    }

    private void forward(P2pPeer from, P2pPeer to, String type, Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type);
        // the server, not the sender, says who it comes from
        out.put("from", Map.of("participantId", from.id(), "identity", from.session.identity()));
        out.putAll(fields);
        to.session.send(out);
        count(signals, type);
    }

    private static P2pPeer peer(ParticipantSession s) throws ProtocolError {
        if (s.attributes().get(ATTRIBUTE) instanceof P2pPeer p && p.isLive()) return p;
        throw new ProtocolError("not_in_call", "This session is not in a p2p room.");
    }

    private static P2pPeer other(P2pPeer p) throws ProtocolError {
        P2pPeer o = p.room.other(p);
        if (o == null || !o.isLive()) throw new ProtocolError("no_peer", "The other participant is not in the room.");
        return o;
    }

    private static void optionalString(ObjectNode m, String field, int max, Map<String, Object> out)
            throws ProtocolError {
        JsonNode n = m.get(field);
        if (n == null || n.isNull()) return;
        if (!n.isTextual() || n.textValue().length() > max) {
            throw new ProtocolError("bad_message", "\"" + field + "\" must be a string of at most " + max + " characters.");
        }
        out.put(field, n.textValue());
    }

    private static void count(Map<String, Counter> counters, String key) {
        Counter c = counters.get(key);
        if (c != null) c.increment();
    }
}
