package dev.chorus.signaling.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.media.datarelay.DataRights;
import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.Participant;
import dev.chorus.media.sfu.Room;
import dev.chorus.media.sfu.Sfu;
import dev.chorus.media.sfu.SfuException;
import dev.chorus.media.sfu.SubscriberAnswerOutcome;
import dev.chorus.media.sfu.TrackInfo;
import dev.chorus.media.sfu.TrackKind;
import dev.chorus.media.simulcast.ViewportLayers;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectEvents;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The glue between participant sessions and the SFU: a session that was admitted joins its room in the media plane
 * before {@code joined} is sent, and leaves it when the session ends for whatever reason (leave, disconnect,
 * revocation, room close, removal). Handles the call messages ({@code publish}, {@code subscriberAnswer},
 * {@code mute}) and announces presence ({@code participantJoined}/{@code participantLeft}). See docs/protocol.md.
 *
 * <p>Threads: {@link #start} runs its blocking part (project lookup, TURN credential issue + audit) on the
 * {@code blocking} executor; SFU futures complete on the room's worker, where this class only sends messages (which
 * is non-blocking) and never waits.
 */
public final class CallService implements SessionLifecycle, ProjectEvents {
    private static final Logger log = LoggerFactory.getLogger(CallService.class);
    /** Rate-limited WARN lines for refusals and media failures an operator needs to see. */
    private final OperatorWarnings warnings = new OperatorWarnings();
    static final String ATTRIBUTE = "call";

    private final Sfu sfu;
    private final Store store;
    private final IceServerProvider iceServers;
    private final CallSettings settings;
    private final Executor blocking;
    /** Fresh TURN credentials pushed before the issued ones expire (a relayed call outlives them). */
    private final IceServerRenewal renewal;
    private final ConcurrentHashMap<String, CallRoom> rooms = new ConcurrentHashMap<>();
    private volatile MediaAudit mediaAudit = MediaAudit.NONE;

    public CallService(Sfu sfu, Store store, IceServerProvider iceServers, CallSettings settings, Executor blocking) {
        this.sfu = sfu;
        this.store = store;
        this.iceServers = iceServers;
        this.settings = settings;
        this.blocking = blocking;
        this.renewal = new IceServerRenewal(iceServers, blocking, java.time.Clock.systemUTC());
    }

    /** Audit publish, unpublish, mute and unmute of each participant's own tracks to {@code log}. */
    public CallService audit(dev.chorus.signaling.audit.AuditLog log) {
        this.mediaAudit = new MediaAudit(log, blocking);
        return this;
    }

    /** Registers {@code publish}, {@code subscriberAnswer}, {@code mute}, {@code iceRestart} and {@code trackView}. */
    public CallService register(SignalingProtocol protocol) {
        protocol.register("publish", this::onPublish);
        protocol.register("subscriberAnswer", this::onSubscriberAnswer);
        protocol.register("mute", this::onMute);
        protocol.register("iceRestart", this::onIceRestart);
        protocol.register("trackView", this::onTrackView);
        return this;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Map<String, Object>> start(ParticipantSession session) {
        return CompletableFuture.supplyAsync(() -> admit(session), blocking)
                .thenCompose(cp -> joinMedia(cp).whenComplete((r, e) -> {
                    if (e != null) leaveRoom(cp);
                }));
    }

    /** Blocking part: the project's participant limit, a place in the room, ICE servers. */
    private CallParticipant admit(ParticipantSession session) {
        int max = store.project(session.projectId()).map(Project::maxParticipantsPerRoom).orElse(0);
        String key = key(session.projectId(), session.room());
        CallRoom room;
        CallParticipant cp;
        boolean added;
        boolean started;
        synchronized (rooms) { // one lock for "find or create the room" and "remove it when empty"
            CallRoom existing = rooms.get(key);
            room = existing != null ? existing : new CallRoom(session.projectId(), session.room());
            cp = new CallParticipant(session, room, warnings);
            cp.audit = mediaAudit;
            added = room.tryAdd(cp, max);
            started = added && existing == null;
            if (started) rooms.put(key, room);
        }
        if (!added) throw new SessionRefusedException(WsCloseCodes.ROOM_FULL, "room_full");
        if (started) emit(room, WebhookEventType.ROOM_STARTED, WebhookActor.participant(session.identity()), Map.of());
        session.attributes().put(ATTRIBUTE, cp);
        session.onClose(() -> leaveRoom(cp));
        cp.ice = iceServers.iceServers(session);
        return cp;
    }

    private CompletableFuture<Map<String, Object>> joinMedia(CallParticipant cp) {
        ParticipantSession s = cp.session;
        CallRoom room = cp.room;
        MediaRights rights = rightsOf(s, room);
        DataRights dataRights = dataRightsOf(s, room); // store reads: here, never on the SFU worker
        return sfu.join(room.sfuRoomId, cp.id(), rights, cp)
                .exceptionally(e -> {
                    throw new CompletionException(new SessionRefusedException(WsCloseCodes.MEDIA_UNAVAILABLE,
                            "media_unavailable"));
                })
                .thenCompose(p -> {
                    cp.media(p);
                    p.updateDataRights(dataRights); // before any publish: worker tasks run in order
                    if (cp.isEnded()) { // the session ended while we joined
                        p.close("left");
                        throw new CompletionException(new SessionRefusedException(WsCloseCodes.NORMAL, "left"));
                    }
                    Optional<Room> r = sfu.room(room.sfuRoomId);
                    CompletableFuture<List<TrackInfo>> tracks = r.isPresent() ? r.get().tracks()
                            : CompletableFuture.completedFuture(List.of());
                    return tracks.exceptionally(e -> List.of());
                })
                .thenApply(tracks -> {
                    Map<String, Object> extra = new LinkedHashMap<>();
                    List<CallParticipant> others;
                    // Atomic per room: two participants going live at once each see the other (in the roster
                    // or as participantJoined), and a leaver is either in the roster or announced as left.
                    synchronized (room) {
                        extra.put("participants", roster(cp, rights, tracks));
                        cp.live();
                        others = room.live();
                    }
                    extra.put("iceServers", cp.ice);
                    renewal.track(s, cp.ice);
                    cp.ice = null;
                    for (CallParticipant other : others) {
                        if (other != cp) other.session.send(Map.of("type", "participantJoined", "participant", cp.describe()));
                    }
                    emit(room, WebhookEventType.PARTICIPANT_JOINED, WebhookActor.participant(s.identity()),
                            Map.of("participantId", cp.id(), "identity", s.identity()));
                    return extra;
                });
    }

    /** The other live participants, each with the tracks this one may receive. */
    private static List<Map<String, Object>> roster(CallParticipant me, MediaRights rights, List<TrackInfo> tracks) {
        Map<String, List<Map<String, Object>>> byPublisher = new HashMap<>();
        for (TrackInfo t : tracks) {
            if (!t.participantId().equals(me.id()) && rights.mayReceive(t)) {
                byPublisher.computeIfAbsent(t.participantId(), k -> new ArrayList<>()).add(CallParticipant.track(t));
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (CallParticipant p : me.room.live()) {
            if (p == me) continue;
            Map<String, Object> m = p.describe();
            m.put("tracks", byPublisher.getOrDefault(p.id(), List.of()));
            out.add(m);
        }
        return out;
    }

    private static PeerSelector.Peer peerOf(CallRoom room, String participantId) {
        CallParticipant p = room.get(participantId);
        return p == null ? null : p.peer;
    }

    @Override
    public void ended(ParticipantSession session) {
        if (session.attributes().get(ATTRIBUTE) instanceof CallParticipant cp) leaveRoom(cp);
    }

    /**
     * A parked session resumed (docs/protocol.md, "Session resume"): the SFU participant, its tracks and
     * subscriptions were kept, so nothing is renegotiated. Only a subscriber offer still unanswered is sent again: it
     * (or the client's answer) may have been in flight when the old connection dropped, and the subscribe side waits
     * for that answer before it offers anything else.
     */
    @Override
    public void resumed(ParticipantSession session) {
        if (session.attributes().get(ATTRIBUTE) instanceof CallParticipant cp && cp.unansweredOffer != null) {
            session.send(cp.unansweredOffer);
        }
    }

    /** A refreshed token gets fresh ICE servers (its TURN credential may outlive the old one's). */
    @Override
    public Map<String, Object> refreshed(ParticipantSession session) {
        if (!(session.attributes().get(ATTRIBUTE) instanceof CallParticipant)) return Map.of();
        List<Map<String, Object>> servers = iceServers.iceServers(session);
        renewal.track(session, servers);
        return Map.of("iceServers", servers);
    }

    /** The refreshed token's rights apply in the SFU at once (forwarding stops or starts, offers follow). */
    @Override
    public void refreshApplied(ParticipantSession session) {
        if (!(session.attributes().get(ATTRIBUTE) instanceof CallParticipant cp)) return;
        Participant p = cp.media();
        if (p != null) {
            p.updateRights(rightsOf(session, cp.room));
            p.updateDataRights(dataRightsOf(session, cp.room));
        }
    }

    // webhook events of rooms, participants and tracks (docs/webhooks.md); NONE until the server installs a sink
    private volatile EventSink events = EventSink.NONE;

    public void events(EventSink sink) {
        this.events = sink == null ? EventSink.NONE : sink;
    }

    private void emit(CallRoom room, WebhookEventType type, WebhookActor actor, Map<String, String> data) {
        Map<String, String> d = new LinkedHashMap<>(data);
        d.put("room", room.roomId);
        events.emit(room.projectId, type, actor, d);
    }

    private void emitTracks(CallParticipant cp, List<TrackInfo> tracks, WebhookEventType type, String reason) {
        for (TrackInfo t : tracks) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("participantId", cp.id());
            d.put("trackId", t.trackId());
            d.put("kind", t.kind().name().toLowerCase(java.util.Locale.ROOT));
            if (reason != null) d.put("reason", reason);
            emit(cp.room, type, WebhookActor.participant(cp.session.identity()), d);
        }
    }

    /** After a publish: the participant's tracks now in the room, each new one reported once. */
    private void reportPublished(CallParticipant cp) {
        sfu.room(cp.room.sfuRoomId).ifPresent(r -> r.tracks().thenAccept(all -> {
            List<TrackInfo> mine = all.stream().filter(t -> t.participantId().equals(cp.id())).toList();
            List<TrackInfo> gone = cp.published.values().stream()
                    .filter(old -> mine.stream().noneMatch(t -> t.trackId().equals(old.trackId()))).toList();
            List<TrackInfo> added = mine.stream().filter(t -> cp.published.putIfAbsent(t.trackId(), t) == null)
                    .toList();
            gone.forEach(t -> cp.published.remove(t.trackId()));
            emitTracks(cp, gone, WebhookEventType.TRACK_UNPUBLISHED, "republished");
            emitTracks(cp, added, WebhookEventType.TRACK_PUBLISHED, null);
        }));
    }

    // liveauth hook: live authorization (ACL, scope overrides) supplies and updates the SFU rights when installed
    private volatile java.util.function.Function<ParticipantSession, MediaRights> rightsSource;

    public void rightsSource(java.util.function.Function<ParticipantSession, MediaRights> source) {
        this.rightsSource = source;
    }

    private MediaRights rightsOf(ParticipantSession s, CallRoom room) {
        var source = rightsSource;
        return source != null ? source.apply(s) : PeerSelector.rights(s, pid -> peerOf(room, pid));
    }

    // the data relay's rights (issue 14): live authorization supplies them when installed, like the media rights
    private volatile java.util.function.Function<ParticipantSession, DataRights> dataRightsSource;

    public void dataRightsSource(java.util.function.Function<ParticipantSession, DataRights> source) {
        this.dataRightsSource = source;
    }

    private DataRights dataRightsOf(ParticipantSession s, CallRoom room) {
        var source = dataRightsSource;
        return source != null ? source.apply(s) : PeerSelector.dataRights(s, pid -> peerOf(room, pid));
    }

    /**
     * New rights of a live session (LiveAuthorization.RightsListener): applied by the SFU before its next drain,
     * the media rights given and the data rights recomputed from the same state.
     */
    public void updateRights(ParticipantSession session, MediaRights rights) {
        if (session.attributes().get(ATTRIBUTE) instanceof CallParticipant cp && cp.media() != null) {
            cp.media().updateRights(rights);
            cp.media().updateDataRights(dataRightsOf(session, cp.room));
        }
    }

    /** Takes the participant out of the SFU and the roster, once; tells the others. */
    private void leaveRoom(CallParticipant cp) {
        CallRoom room = cp.room;
        boolean wasLive;
        List<CallParticipant> others;
        synchronized (room) { // see joinMedia: presence changes are atomic per room
            wasLive = cp.isLive();
            if (!cp.end()) return;
            others = room.live();
        }
        Participant p = cp.media();
        if (p != null) p.close("left");
        boolean finished;
        synchronized (rooms) {
            finished = room.remove(cp) && rooms.remove(key(room.projectId, room.roomId), room);
        }
        if (wasLive) {
            for (CallParticipant other : others) {
                other.session.send(Map.of("type", "participantLeft", "participantId", cp.id()));
            }
            String reason = cp.session.closeReason();
            emitTracks(cp, List.copyOf(cp.published.values()), WebhookEventType.TRACK_UNPUBLISHED, "left");
            emit(room, WebhookEventType.PARTICIPANT_LEFT, WebhookActor.participant(cp.session.identity()),
                    Map.of("participantId", cp.id(), "identity", cp.session.identity(), "reason", reason));
        }
        if (finished) emit(room, WebhookEventType.ROOM_FINISHED, WebhookActor.SYSTEM, Map.of());
    }

    /** A room closed through the API: its sessions are closed by the WebSocket layer; the media room closes here. */
    @Override
    public void roomClosed(String projectId, String roomId) {
        sfu.room(projectId + "/" + roomId).ifPresent(r -> r.close("room closed"));
    }

    /** {@code {participantId, identity, name, meta}}: a session as the others in its room see it (p2p rooms too). */
    public static Map<String, Object> presence(ParticipantSession session) {
        return CallParticipant.describe(session);
    }

    /** True while the SFU room exists on this node (someone joining or joined): a p2p room of that name is refused. */
    public boolean hasRoom(String projectId, String roomId) {
        return rooms.containsKey(key(projectId, roomId));
    }

    /** Participants in calls on this node (joining or joined). */
    public int participants() {
        int n = 0;
        for (CallRoom r : rooms.values()) n += r.size();
        return n;
    }

    /**
     * Who receives whom in the rooms of {@code projectId} on this node (every project's when null): each room's SFU
     * snapshot, taken on its worker and handed over whole, with the participants' identities and names.
     */
    public CompletableFuture<List<RoomMediaView>> mediaViews(String projectId) {
        List<CompletableFuture<RoomMediaView>> views = new ArrayList<>();
        for (CallRoom room : rooms.values()) {
            if (projectId != null && !projectId.equals(room.projectId)) continue;
            Optional<Room> media = sfu.room(room.sfuRoomId);
            if (media.isEmpty()) continue;
            views.add(media.get().snapshot().thenApply(snap -> {
                Map<String, RoomMediaView.Person> people = new HashMap<>();
                for (var p : snap.participants()) {
                    CallParticipant cp = room.get(p.participantId());
                    if (cp != null) {
                        people.put(p.participantId(), new RoomMediaView.Person(cp.session.identity(), cp.session.name()));
                    }
                }
                return new RoomMediaView(room.projectId, room.roomId, snap, people);
            }));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(v -> views.stream()
                .map(CompletableFuture::join)
                .sorted(java.util.Comparator.comparing(RoomMediaView::projectId).thenComparing(RoomMediaView::roomId))
                .toList());
    }

    private static String key(String projectId, String roomId) {
        return projectId + "/" + roomId;
    }

    // ---- messages (connection event loop) --------------------------------------------------------------------------

    /** {@code {"type":"publish","sdp":"…","kinds":{"<mid>":"screen"}}} → {@code publishAnswer}. */
    private void onPublish(ParticipantSession s, ObjectNode m) throws ProtocolError {
        CallParticipant cp = participant(s);
        Messages.onlyFields(m, "type", "sdp", "kinds", "e2ee");
        String sdp = sdp(m);
        Map<String, TrackKind> kinds = kinds(m.get("kinds"));
        requireDeclaredE2ee(s, m.get("e2ee"));
        if (!cp.publishing.compareAndSet(false, true)) {
            throw new ProtocolError("publish_in_progress", "Wait for the answer to the previous publish.");
        }
        cp.media().publish(sdp, kinds).whenComplete((answer, e) -> {
            cp.publishing.set(false);
            if (e != null) {
                replyAsync(s, e);
            } else {
                s.send(Map.of("type", "publishAnswer", "sdp", answer));
                reportPublished(cp);
            }
        });
    }

    /**
     * A token whose policy says {@code "e2ee": "required"} publishes only with {@code "e2ee": true} in its publish
     * message (docs/e2ee.md). The server cannot see whether frames are encrypted (they are opaque to it either way):
     * it enforces the client's declaration, so an SDK without the room's key is refused before anything is published.
     */
    private static void requireDeclaredE2ee(ParticipantSession s, JsonNode e2ee) throws ProtocolError {
        if (e2ee != null && !e2ee.isBoolean()) throw new ProtocolError("bad_message", "\"e2ee\" must be a boolean.");
        if (s.policy().e2eeRequired() && (e2ee == null || !e2ee.booleanValue())) {
            throw new ProtocolError("e2ee_required", "This room requires end-to-end encrypted media: publish with an "
                    + "encryption key (the SDK's e2ee option), which declares \"e2ee\": true. Nothing was published.");
        }
    }

    /**
     * {@code {"type":"subscriberAnswer","sdp":"…","version":7}}: the answer to the {@code subscriberOffer} of that
     * version. An answer to an offer no longer outstanding (the SFU withdrew it and sent the next one while the answer
     * was on its way) is ignored without an error; a version never sent is refused ({@code unknown_offer_version}).
     * Without {@code version} (older clients) it answers whichever offer is outstanding, as before.
     */
    private void onSubscriberAnswer(ParticipantSession s, ObjectNode m) throws ProtocolError {
        CallParticipant cp = participant(s);
        Messages.onlyFields(m, "type", "sdp", "version");
        String sdp = sdp(m);
        long version = offerVersion(m.get("version"));
        if (!cp.startAnswer(version)) {
            throw new ProtocolError("answer_in_progress", "The previous answer is still being applied.");
        }
        java.util.Map<String, Object> answered = cp.unansweredOffer;
        cp.media().answerSubscription(sdp, version).whenComplete((outcome, e) -> {
            cp.answerDone(version);
            if (e != null) replyAsync(s, e);
            else if (outcome == SubscriberAnswerOutcome.APPLIED) cp.answered(answered);
        });
    }

    /** The largest integer a JavaScript number holds exactly (2^53 - 1): the SDK echoes the version as a number. */
    private static final long MAX_OFFER_VERSION = (1L << 53) - 1;

    /** A {@code subscriberAnswer}'s {@code version}: absent or null for an older client ({@link Participant#CURRENT_OFFER}). */
    private static long offerVersion(JsonNode n) throws ProtocolError {
        if (n == null || n.isNull()) return Participant.CURRENT_OFFER;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 1 || n.longValue() > MAX_OFFER_VERSION) {
            throw new ProtocolError("bad_message", "\"version\" must be the positive integer \"version\" of the "
                    + "subscriberOffer answered.");
        }
        return n.longValue();
    }

    /** {@code {"type":"mute","trackId":"0","muted":true}}: stops (or resumes) forwarding one of one's own tracks. */
    private void onMute(ParticipantSession s, ObjectNode m) throws ProtocolError {
        CallParticipant cp = participant(s);
        Messages.onlyFields(m, "type", "trackId", "muted");
        String trackId = Messages.string(m, "trackId", 64);
        JsonNode muted = m.get("muted");
        if (muted == null || !muted.isBoolean()) throw new ProtocolError("bad_message", "mute needs a boolean \"muted\".");
        cp.media().setMuted(trackId, muted.booleanValue()).whenComplete((v, e) -> {
            if (e != null) replyAsync(s, e);
        });
    }

    /**
     * {@code {"type":"trackView","participantId":"p","trackId":"1","width":320,"height":180,"visible":true,
     * "quality":"low"}} (issue 12, adaptive stream): how the client shows a video track it receives: its element's
     * size in device pixels (0 × 0: unknown), visibility, and optionally the app's preferred quality
     * ({@code low|medium|high}, or absent/null for none). The SFU never sends a simulcast layer bigger than asked.
     */
    private void onTrackView(ParticipantSession s, ObjectNode m) throws ProtocolError {
        CallParticipant cp = participant(s);
        Messages.onlyFields(m, "type", "participantId", "trackId", "width", "height", "visible", "quality");
        String publisher = Messages.string(m, "participantId", 128);
        String trackId = Messages.string(m, "trackId", 64);
        int width = dimension(m, "width");
        int height = dimension(m, "height");
        JsonNode visible = m.get("visible");
        if (visible == null || !visible.isBoolean()) {
            throw new ProtocolError("bad_message", "trackView needs a boolean \"visible\".");
        }
        JsonNode q = m.get("quality");
        ViewportLayers.Quality quality = null;
        if (q != null && !q.isNull()) {
            quality = switch (q.isTextual() ? q.textValue() : "") {
                case "low" -> ViewportLayers.Quality.LOW;
                case "medium" -> ViewportLayers.Quality.MEDIUM;
                case "high" -> ViewportLayers.Quality.HIGH;
                default -> throw new ProtocolError("bad_message", "\"quality\" is \"low\", \"medium\", \"high\" or null.");
            };
        }
        cp.media().setTrackView(publisher, trackId, width, height, visible.booleanValue(), quality)
                .whenComplete((v, e) -> {
                    if (e != null) replyAsync(s, e);
                });
    }

    private static int dimension(ObjectNode m, String field) throws ProtocolError {
        JsonNode n = m.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0 || n.intValue() > 16384) {
            throw new ProtocolError("bad_message", "\"" + field + "\" must be an integer 0-16384 (device pixels).");
        }
        return n.intValue();
    }

    /**
     * {@code {"type":"iceRestart"}}: the client's subscribe connection lost its path (ICE disconnected/failed or a
     * network change); the next {@code subscriberOffer} carries fresh ICE credentials on the same transport. The
     * publish connection restarts with the client's own offer ({@code publish} with a new ufrag).
     */
    private void onIceRestart(ParticipantSession s, ObjectNode m) throws ProtocolError {
        CallParticipant cp = participant(s);
        Messages.onlyFields(m, "type");
        cp.media().restartSubscriberIce().whenComplete((v, e) -> {
            if (e != null) replyAsync(s, e);
        });
    }

    private static CallParticipant participant(ParticipantSession s) throws ProtocolError {
        if (s.attributes().get(ATTRIBUTE) instanceof CallParticipant cp && cp.media() != null && !cp.isEnded()) {
            return cp;
        }
        throw new ProtocolError("not_in_call", "This session is not in a call.");
    }

    private String sdp(ObjectNode m) throws ProtocolError {
        JsonNode n = m.get("sdp");
        if (n == null || !n.isTextual() || n.textValue().isEmpty()) {
            throw new ProtocolError("bad_message", "A non-empty string \"sdp\" is required.");
        }
        if (n.textValue().length() > settings.maxSdpBytes()) {
            throw new ProtocolError("sdp_too_large", "The SDP is larger than " + settings.maxSdpBytes() + " characters.");
        }
        return n.textValue();
    }

    private static Map<String, TrackKind> kinds(JsonNode n) throws ProtocolError {
        if (n == null || n.isNull()) return Map.of();
        if (!n.isObject() || n.size() > 32) {
            throw new ProtocolError("bad_message", "\"kinds\" must be an object of at most 32 mid → kind entries.");
        }
        Map<String, TrackKind> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().isEmpty() || e.getKey().length() > 32 || !v.isTextual()) {
                throw new ProtocolError("bad_message", "\"kinds\" entries map a mid to \"audio\", \"video\" or \"screen\".");
            }
            TrackKind k = switch (v.textValue()) {
                case "audio" -> TrackKind.AUDIO;
                case "video" -> TrackKind.VIDEO;
                case "screen" -> TrackKind.SCREEN;
                default -> throw new ProtocolError("bad_message",
                        "\"kinds\" entries map a mid to \"audio\", \"video\" or \"screen\".");
            };
            out.put(e.getKey(), k);
        }
        return out;
    }

    /**
     * The SFU's reason for a refused negotiation, for the client to act on (e.g. "the offer puts media sections 0, 1
     * on separate transports ..."): written by the SFU from SDP tokens, never secrets. Internal errors stay generic.
     */
    private static String clientReason(SfuException e) {
        String reason = e.getMessage();
        return reason == null || reason.startsWith("internal error") ? "" : ": " + reason;
    }

    /** An SFU refusal as an {@code error} message with a stable code (see docs/protocol.md). */
    private void replyAsync(ParticipantSession s, Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String code;
        String message;
        if (c instanceof SfuException se) {
            code = se.code().name().toLowerCase(Locale.ROOT);
            switch (se.code()) {
                case BAD_SDP, NEGOTIATION_FAILED, PUBLISH_NOT_ALLOWED, TOO_MANY_TRACKS, CAPACITY, UNKNOWN_OFFER_VERSION ->
                        warnings.warn("negotiation_refused", code, s.participantId());
                default -> { }
            }
            message = switch (se.code()) {
                case PUBLISH_NOT_ALLOWED -> "The token does not grant publishing this kind of media.";
                case TOO_MANY_TRACKS -> "More tracks than the token's policy allows.";
                case BAD_SDP -> "The SDP could not be parsed or exceeds the limits; nothing was changed.";
                case NEGOTIATION_FAILED -> "Nothing acceptable could be negotiated from this SDP"
                        + clientReason(se) + "; nothing was changed.";
                case NO_PENDING_OFFER -> "There is no subscriber offer to answer.";
                case UNKNOWN_OFFER_VERSION -> "This answer names a subscriber offer version that was never sent"
                        + clientReason(se) + "; answer the latest subscriberOffer with its \"version\". Nothing was "
                        + "changed.";
                case CAPACITY -> "The media server is full.";
                case UNKNOWN_TRACK -> "No such track of this participant.";
                case CLOSED -> "The participant or room is closed.";
            };
        } else {
            log.warn("event=call_operation_failed error={}", c.getClass().getName());
            code = "internal_error";
            message = "Internal error.";
        }
        s.send(Map.of("type", "error", "code", code, "message", message));
    }
}
