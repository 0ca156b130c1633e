package dev.chorus.signaling.api;

import dev.chorus.media.sfu.RoomSnapshot;
import dev.chorus.signaling.call.RoomMediaView;
import dev.chorus.signaling.call.WebAssets;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.ControlPlane;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Who receives whom (docs/media-view.md): per room on this node, the participants, their tracks, who receives which
 * track at which layer and rate, the receiver's estimate, loss and round trip. A JSON snapshot for scripts and a live
 * page that renders it, both behind a backend key with {@code rooms:admin} (the caller's project only), and the
 * operator's view of every project. The snapshots are taken on the rooms' media workers and handed over whole.
 */
public final class MediaViewApi {
    /** How long a request waits for the rooms' workers to hand their snapshots over. */
    static final long SNAPSHOT_TIMEOUT_MILLIS = 2_000;

    private final Function<String, CompletableFuture<List<RoomMediaView>>> views;

    private MediaViewApi(Function<String, CompletableFuture<List<RoomMediaView>>> views) {
        this.views = views;
    }

    /** @param views project id (null: every project) → the rooms' views on this node */
    public static void register(Router router, ControlPlane control,
                                Function<String, CompletableFuture<List<RoomMediaView>>> views) {
        MediaViewApi api = new MediaViewApi(views);
        BackendApi.route(router, control, "GET", "/v1/media/rooms", ApiScope.ROOMS_ADMIN,
                (caller, req) -> api.rooms(caller.projectId(), null));
        BackendApi.route(router, control, "GET", "/v1/media/rooms/{room}", ApiScope.ROOMS_ADMIN,
                (caller, req) -> api.rooms(caller.projectId(), req.pathParam("room")));
        BackendApi.route(router, control, "GET", "/v1/media/view", ApiScope.ROOMS_ADMIN,
                (caller, req) -> WebAssets.page("media-view.html").withHeader("Cache-Control", "no-store"));
        router.add("GET", "/v1/admin/media/rooms", Router.OPERATOR,
                AdminApi.operator(control, (actor, req) -> api.rooms(null, null)));
    }

    private HttpResult rooms(String projectId, String roomId) {
        List<RoomMediaView> rooms;
        try {
            rooms = views.apply(projectId).get(SNAPSHOT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return HttpResult.error(503, "media_busy", "The media workers did not hand their snapshots over in time.");
        } catch (ExecutionException e) {
            return HttpResult.error(503, "media_unavailable", "The media plane could not take a snapshot.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HttpResult.error(503, "media_unavailable", "Interrupted.");
        }
        if (roomId != null) {
            rooms = rooms.stream().filter(r -> r.roomId().equals(roomId)).toList();
            if (rooms.isEmpty()) {
                return HttpResult.error(404, "room_not_active", "No call is running in this room on this node.");
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("takenAt", Instant.now().toString());
        out.put("rooms", rooms.stream().map(MediaViewApi::room).toList());
        return HttpResult.json(200, out).withHeader("Cache-Control", "no-store");
    }

    static Map<String, Object> room(RoomMediaView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("project", v.projectId());
        m.put("room", v.roomId());
        List<Map<String, Object>> participants = new ArrayList<>();
        for (RoomSnapshot.ParticipantView p : v.media().participants()) {
            RoomMediaView.Person who = v.people().get(p.participantId());
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("participantId", p.participantId());
            pm.put("identity", who == null ? null : who.identity());
            pm.put("name", who == null ? null : who.name());
            pm.put("publishConnected", p.publishConnected());
            pm.put("subscribeConnected", p.subscribeConnected());
            pm.put("receiving", p.receiving());
            pm.put("estimateBps", p.estimateBps() < 0 ? null : p.estimateBps());
            List<Map<String, Object>> tracks = new ArrayList<>();
            for (RoomSnapshot.TrackView t : p.publishing()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("trackId", t.trackId());
                tm.put("kind", t.kind().name().toLowerCase(Locale.ROOT));
                tm.put("muted", t.muted());
                tm.put("bitrateBps", t.bitrateBps());
                tm.put("packets", t.packets());
                tm.put("receivers", t.receivers().stream().map(MediaViewApi::receiver).toList());
                tracks.add(tm);
            }
            pm.put("tracks", tracks);
            participants.add(pm);
        }
        m.put("participants", participants);
        return m;
    }

    private static Map<String, Object> receiver(RoomSnapshot.ReceiverView r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("participantId", r.participantId());
        m.put("active", r.active());
        RoomSnapshot.ForwardedLayer layer = r.layer();
        if (layer == null) {
            m.put("layer", null);
        } else {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("spatial", layer.spatial() < 0 ? null : layer.spatial());
            lm.put("temporal", layer.temporal() < 0 ? null : layer.temporal());
            lm.put("rid", layer.rid());
            m.put("layer", lm);
        }
        m.put("bitrateBps", r.bitrateBps());
        m.put("packets", r.packets());
        m.put("fractionLost", r.fractionLost() < 0 ? null : r.fractionLost());
        m.put("packetsLost", r.packetsLost() < 0 ? null : r.packetsLost());
        m.put("jitterMs", r.jitterMs() < 0 ? null : Math.round(r.jitterMs() * 10) / 10.0);
        m.put("rttMs", r.rttMs() < 0 ? null : Math.round(r.rttMs() * 10) / 10.0);
        return m;
    }
}
