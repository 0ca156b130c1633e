package dev.chorus.signaling.live;

import dev.chorus.media.datarelay.DataRights;
import dev.chorus.media.datarelay.SenderPolicy;
import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.SubscribePolicy;
import dev.chorus.media.sfu.TrackKind;
import dev.chorus.signaling.auth.PeerPolicy;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.EffectiveRights;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.signaling.ws.WsCloseCodes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps live sessions' rights equal to what the durable state says, within the same call that changed it
 * (docs/live-authorization.md). On an ACL grant/revoke, a scope override or an access-policy change it recomputes
 * {@link EffectiveRights} for every affected session, tells the client ({@code permissionsChanged}) and hands the
 * new {@link MediaRights} to the media plane through {@link RightsListener}s, which call
 * {@code Participant.updateRights} (forwarding stops before the worker's next drain). Losing {@code room:join}
 * ends the session (4004). Revocations and room closes end sessions through {@code SessionEvents}; the media plane
 * learns of those through {@link ParticipantRegistry#onRevoked}.
 *
 * <p>Runs on the thread of the service call that made the change (an HTTP handler thread): store reads only,
 * sends are queued on each session's event loop.
 */
public final class LiveAuthorization implements ProjectEvents {
    private static final Logger log = LoggerFactory.getLogger(LiveAuthorization.class);
    /** Session attribute holding the last rights sent to the client (a sorted list of wire scopes). */
    static final String SCOPES_ATTR = "chorus.live.scopes";

    /** Receives new media rights of a live session; must return quickly (e.g. hand to the SFU, which is async). */
    @FunctionalInterface
    public interface RightsListener {
        void rightsChanged(ParticipantSession session, MediaRights rights);
    }

    private final Store store;
    private final ParticipantRegistry registry;
    private final List<RightsListener> listeners = new CopyOnWriteArrayList<>();

    public LiveAuthorization(Store store, ParticipantRegistry registry) {
        this.store = store;
        this.registry = registry;
        registry.addListener(new ParticipantRegistry.Listener() {
            @Override
            public void renewed(ParticipantSession s) {
                // called on the session's event loop: the store reads happen on a virtual thread instead
                Thread.ofVirtual().name("chorus-live-refresh").start(() -> refreshed(s));
            }
        });
    }

    public void addListener(RightsListener l) {
        listeners.add(l);
    }

    /** Effective scopes of a session now: token ∩ project ceiling − room overrides. */
    public Set<Scope> scopes(ParticipantSession s) {
        Optional<Project> project = store.project(s.projectId());
        if (project.isEmpty()) return Set.of();
        return EffectiveRights.scopes(tokenScopes(s), project.get(), store.scopeOverrides(s.projectId(), s.room()),
                s.identity());
    }

    /** Media rights of a session now (what the SFU should enforce); used at SFU join and after every change. */
    public MediaRights mediaRights(ParticipantSession s) {
        Set<Scope> scopes = scopes(s);
        PeerPolicy policy = s.policy();
        boolean aclMode = store.accessPolicy(s.projectId()).orElse(AccessPolicy.DEFAULT).aclMode();
        List<AclEntry> acl = store.aclEntries(s.projectId());
        String subscriber = s.identity();
        Set<Scope> frozen = Set.copyOf(scopes);
        // Thread-safe: immutable snapshot of policy and ACL; the publisher directory is the concurrent registry.
        SubscribePolicy subscribe = track -> EffectiveRights.maySubscribe(subscriber, frozen, policy,
                publisher(track.participantId()), kindWire(track.kind()), track.trackId(), acl, aclMode);
        int maxTracks = policy.maxTracks() >= 0 ? policy.maxTracks() : MediaRights.DEFAULT_MAX_TRACKS;
        int maxKbps = Math.max(0, policy.maxKbps());
        return new MediaRights(scopes.contains(Scope.PUBLISH_AUDIO), scopes.contains(Scope.PUBLISH_VIDEO),
                scopes.contains(Scope.PUBLISH_SCREEN), scopes.contains(Scope.SUBSCRIBE), subscribe, maxTracks, maxKbps);
    }

    /**
     * Data-message rights of a session now (what the room's data relay should enforce): {@code data:publish},
     * {@code data:subscribe}, and from whom it may receive by the same token policy and ACL as media
     * ({@link EffectiveRights#mayReceiveData}).
     */
    public DataRights dataRights(ParticipantSession s) {
        Set<Scope> scopes = Set.copyOf(scopes(s));
        PeerPolicy policy = s.policy();
        boolean aclMode = store.accessPolicy(s.projectId()).orElse(AccessPolicy.DEFAULT).aclMode();
        List<AclEntry> acl = store.aclEntries(s.projectId());
        String subscriber = s.identity();
        // Thread-safe like the media policy: immutable snapshot, publisher directory is the concurrent registry.
        SenderPolicy from = sender -> EffectiveRights.mayReceiveData(subscriber, scopes, policy, publisher(sender),
                acl, aclMode);
        return new DataRights(scopes.contains(Scope.DATA_PUBLISH), scopes.contains(Scope.DATA_SUBSCRIBE), from);
    }

    private EffectiveRights.Publisher publisher(String participantId) {
        return registry.get(participantId).map(p -> new EffectiveRights.Publisher(p.identity(), p.groups()))
                .orElse(null);
    }

    private static String kindWire(TrackKind k) {
        return switch (k) {
            case AUDIO -> "audio";
            case VIDEO -> "video";
            case SCREEN -> "screen";
        };
    }

    private static Set<Scope> tokenScopes(ParticipantSession s) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        for (String r : s.rights()) Scope.fromWire(r).ifPresent(out::add);
        return out;
    }

    /**
     * Recomputes rights of the sessions matching {@code which}: tells each client its new rights when they changed,
     * ends sessions that lost {@code room:join}, and hands new media rights to the listeners. Returns how many
     * sessions were re-evaluated.
     */
    public int reevaluate(Predicate<ParticipantSession> which, String reason) {
        int n = 0;
        for (ParticipantSession s : registry.all()) {
            if (!which.test(s) || !s.isOpen()) continue;
            n++;
            try {
                apply(s, reason);
            } catch (RuntimeException e) {
                // fail closed: a session whose rights cannot be computed loses them
                log.warn("event=live_reevaluate_failed participant={} error={}", s.participantId(),
                        e.getClass().getName());
                registry.closeWhere(x -> x == s, WsCloseCodes.INTERNAL_ERROR, "authorization unavailable");
            }
        }
        return n;
    }

    private void apply(ParticipantSession s, String reason) {
        Set<Scope> scopes = scopes(s);
        if (!scopes.contains(Scope.ROOM_JOIN)) {
            registry.closeWhere(x -> x == s, WsCloseCodes.REVOKED, "permission revoked");
            return;
        }
        List<String> wire = new ArrayList<>();
        for (Scope sc : Scope.values()) if (scopes.contains(sc)) wire.add(sc.wire());
        s.attributes().put(SCOPES_ATTR, wire);
        MediaRights media = mediaRights(s);
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("type", "permissionsChanged");
        msg.put("rights", wire);
        msg.put("reason", reason);
        s.send(msg);
        for (RightsListener l : listeners) {
            try {
                l.rightsChanged(s, media);
            } catch (RuntimeException e) {
                log.warn("event=rights_listener_failed error={}", e.getClass().getName());
            }
        }
    }

    // ---- ProjectEvents: changes that re-evaluate rather than close

    @Override
    public void aclChanged(String projectId, String subscriber, String publisher) {
        reevaluate(s -> s.projectId().equals(projectId) && s.identity().equals(subscriber), "acl");
    }

    @Override
    public void permissionsChanged(String projectId, String roomId, String identity) {
        reevaluate(s -> s.projectId().equals(projectId) && s.room().equals(roomId) && s.identity().equals(identity),
                "permissions");
    }

    @Override
    public void accessPolicyChanged(String projectId) {
        reevaluate(s -> s.projectId().equals(projectId), "access_policy");
    }

    /** A refresh replaced a session's token: its rights may differ (scopes, policy). */
    public void refreshed(ParticipantSession s) {
        reevaluate(x -> x == s, "refresh");
    }

    /** Fan-out of project events to several listeners (SessionEvents closes, this re-evaluates). */
    public static ProjectEvents both(ProjectEvents a, ProjectEvents b) {
        return new ProjectEvents() {
            @Override public void keyRevoked(String p, String kid) { a.keyRevoked(p, kid); b.keyRevoked(p, kid); }
            @Override public void tokenRevoked(String p, String j) { a.tokenRevoked(p, j); b.tokenRevoked(p, j); }
            @Override public void subjectRevoked(String p, String s, Instant t) {
                a.subjectRevoked(p, s, t);
                b.subjectRevoked(p, s, t);
            }
            @Override public void roomClosed(String p, String r) { a.roomClosed(p, r); b.roomClosed(p, r); }
            @Override public void aclChanged(String p, String s, String pub) {
                a.aclChanged(p, s, pub);
                b.aclChanged(p, s, pub);
            }
            @Override public void permissionsChanged(String p, String r, String i) {
                a.permissionsChanged(p, r, i);
                b.permissionsChanged(p, r, i);
            }
            @Override public void accessPolicyChanged(String p) { a.accessPolicyChanged(p); b.accessPolicyChanged(p); }
        };
    }
}
