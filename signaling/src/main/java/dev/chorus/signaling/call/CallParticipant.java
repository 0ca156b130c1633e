package dev.chorus.signaling.call;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.sfu.Participant;
import dev.chorus.media.sfu.ParticipantListener;
import dev.chorus.media.sfu.SubscribedTrack;
import dev.chorus.media.sfu.TrackInfo;
import dev.chorus.media.sfu.TransportRole;
import dev.chorus.media.sfu.UnpublishReason;
import dev.chorus.media.transport.CloseReason;
import dev.chorus.signaling.http.Json;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.signaling.ws.WsCloseCodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One participant of a call: its WebSocket session and its SFU handle. Turns the SFU's events (on the room's worker
 * thread) into protocol messages; {@link ParticipantSession#send} is thread-safe and keeps their order.
 */
final class CallParticipant implements ParticipantListener {
    /** Tracks this participant published, as last reported in webhook events (trackId → track). */
    final java.util.concurrent.ConcurrentHashMap<String, dev.chorus.media.sfu.TrackInfo> published =
            new java.util.concurrent.ConcurrentHashMap<>();

    final ParticipantSession session;
    final CallRoom room;
    final PeerSelector.Peer peer;
    private volatile Participant media;
    private volatile boolean live;
    private final AtomicBoolean ended = new AtomicBoolean();
    final AtomicBoolean publishing = new AtomicBoolean();
    /** The offer version of the subscriber answer being applied ({@link #NO_ANSWER}: none); see {@link #startAnswer}. */
    private final AtomicLong answering = new AtomicLong(NO_ANSWER);
    private static final long NO_ANSWER = -1;
    /** ICE servers issued at admission, until {@code joined} carries them. */
    volatile List<Map<String, Object>> ice = List.of();
    /** Audits this participant's own track changes (set by the call service at admission). */
    volatile MediaAudit audit = MediaAudit.NONE;

    private final OperatorWarnings warnings;

    CallParticipant(ParticipantSession session, CallRoom room, OperatorWarnings warnings) {
        this.warnings = warnings;
        this.session = session;
        this.room = room;
        this.peer = new PeerSelector.Peer(session.identity(), session.groups());
    }

    private boolean own(TrackInfo track) {
        return track.participantId().equals(id());
    }

    String id() {
        return session.participantId();
    }

    Participant media() {
        return media;
    }

    void media(Participant p) {
        this.media = p;
    }

    boolean isLive() {
        return live && !ended.get();
    }

    void live() {
        this.live = true;
    }

    boolean isEnded() {
        return ended.get();
    }

    /** Marks the participant ended once; returns false if it already was. */
    boolean end() {
        return ended.compareAndSet(false, true);
    }

    /** {@code {participantId, identity, name, meta}} as other participants see it ({@code name} only when set). */
    Map<String, Object> describe() {
        return describe(session);
    }

    /** A session as the other participants of its room see it (SFU and p2p rooms alike). */
    static Map<String, Object> describe(ParticipantSession session) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("participantId", session.participantId());
        m.put("identity", session.identity());
        if (session.name() != null) m.put("name", session.name());
        m.put("meta", parseMeta(session.meta()));
        return m;
    }

    private static JsonNode parseMeta(String meta) {
        if (meta == null) return null;
        try {
            return Json.mapper().readTree(meta);
        } catch (Exception e) {
            return null;
        }
    }

    static Map<String, Object> track(TrackInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("participantId", t.participantId());
        m.put("trackId", t.trackId());
        m.put("kind", t.kind().name().toLowerCase(Locale.ROOT));
        m.put("muted", t.muted());
        return m;
    }

    // ---- SFU events (room worker thread) ------------------------------------------------------------------------

    @Override
    public void onTrackPublished(TrackInfo track) {
        if (own(track)) audit.track(session, MediaAudit.PUBLISH, track, null);
        session.send(Map.of("type", "trackPublished", "track", track(track)));
    }

    /** Sent a data message without {@code data:publish}: audited once per grant, and the client is told. */
    @Override
    public void onDataPublishRefused() {
        audit.dataPublishRefused(session);
        session.send(Map.of("type", "dataRefused", "reason", "data_publish_not_allowed"));
    }

    @Override
    public void onTrackUpdated(TrackInfo track) {
        if (own(track)) audit.track(session, track.muted() ? MediaAudit.MUTE : MediaAudit.UNMUTE, track, null);
        session.send(Map.of("type", "trackUpdated", "track", track(track)));
    }

    @Override
    public void onTrackUnpublished(TrackInfo track, UnpublishReason reason) {
        if (own(track)) {
            audit.track(session, MediaAudit.UNPUBLISH, track, reason.name().toLowerCase(Locale.ROOT));
        }
        session.send(Map.of("type", "trackUnpublished", "track", track(track),
                "reason", reason.name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void onSubscriberOffer(String sdp, List<SubscribedTrack> tracks, long version) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SubscribedTrack t : tracks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mid", t.mid());
            m.putAll(track(t.track()));
            list.add(m);
        }
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("type", "subscriberOffer");
        msg.put("version", version);
        msg.put("sdp", sdp);
        msg.put("tracks", list);
        unansweredOffer = msg;
        session.send(msg);
    }

    /** The latest {@code subscriberOffer} until an answer to it was applied (sent again after a session resume). */
    volatile Map<String, Object> unansweredOffer;

    /**
     * Whether a subscriber answer naming offer {@code version} may be applied now: one answer at a time, except that
     * an answer to a newer offer may follow one to an older offer at once. A client that answered a withdrawn offer
     * answers its successor right after, while the stale answer may still be on its way through the media worker
     * (which takes them in order); refusing the newer one as {@code answer_in_progress} would cost another round.
     */
    boolean startAnswer(long version) {
        long current;
        do {
            current = answering.get();
            if (current != NO_ANSWER && version <= current) return false;
        } while (!answering.compareAndSet(current, version));
        return true;
    }

    /** The answer started with {@code version} was applied, ignored or refused. */
    void answerDone(long version) {
        answering.compareAndSet(version, NO_ANSWER);
    }

    /** The answer to {@code offer} was applied; a later offer stays unanswered. */
    void answered(Map<String, Object> offer) {
        if (unansweredOffer == offer) unansweredOffer = null;
    }

    /** Levels of this participant and of those whose audio it receives (the SFU filtered them by rights). */
    @Override
    public void onAudioLevels(Map<String, Double> levels) {
        session.send(Map.of("type", "audioLevels", "levels", new TreeMap<>(levels)));
    }

    @Override
    public void onActiveSpeaker(String participantId) {
        session.send(Map.of("type", "activeSpeaker", "participantId", participantId));
    }

    /** Dynacast (issue 12): {@code {"type":"publishLayers","trackId":"1","layers":{"q":true,"h":true,"f":false}}}. */
    @Override
    public void onPublishLayers(String trackId, Map<String, Boolean> activeByRid) {
        session.send(Map.of("type", "publishLayers", "trackId", trackId, "layers", activeByRid));
    }

    /**
     * Bandwidth estimation (issue 12): {@code {"type":"trackPaused","track":{...},"reason":"bandwidth"}} when the SFU
     * stops forwarding a video because even its lowest layer does not fit this participant's estimate, and
     * {@code trackResumed} when it fits again.
     */
    @Override
    public void onTrackPaused(TrackInfo track, boolean paused, String reason) {
        session.send(Map.of("type", paused ? "trackPaused" : "trackResumed", "track", track(track), "reason", reason));
    }

    @Override
    public void onTransportConnected(TransportRole role) {
        session.send(Map.of("type", "transportConnected", "role", role.name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void onTransportClosed(TransportRole role, CloseReason reason) {
        switch (reason) {
            case CONSENT_EXPIRED -> warnings.warn("ice_consent_lost", role.name().toLowerCase(Locale.ROOT), id());
            default -> { }
        }
        session.send(Map.of("type", "transportClosed", "role", role.name().toLowerCase(Locale.ROOT),
                "reason", reason.name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void onDtlsFailed(TransportRole role, dev.chorus.media.dtls.DtlsFailure reason) {
        // one line per cause: the failure (fingerprint_mismatch, no_common_srtp_profile, peer_alert, timeout, ...)
        warnings.warn("dtls_failed_" + role.name().toLowerCase(Locale.ROOT), reason.name().toLowerCase(Locale.ROOT),
                id());
    }

    @Override
    public void onSrtpAuthFailures(TransportRole role, int inWindow, long windowSeconds, long total) {
        // the media plane already rate-limits per transport; this keeps one line per cause per minute overall
        warnings.warn("srtp_auth_failures", role.name().toLowerCase(Locale.ROOT), id());
    }

    @Override
    public void onClosed(String reason) {
        // Closed by the media plane itself (room closed, SFU stopping): the session cannot go on without it.
        if (!ended.get()) {
            session.close("sfu stopped".equals(reason) ? WsCloseCodes.GOING_AWAY : WsCloseCodes.REVOKED,
                    "media closed");
        }
    }

    @Override
    public String toString() {
        return "CallParticipant[" + id() + "]";
    }
}
