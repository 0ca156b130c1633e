package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Room records for the HTTP API. Room ids are namespaced per project, so a backend can only ever address its own
 * project's rooms; an unknown id is {@link ServiceError#NOT_FOUND} and audited.
 */
public final class RoomService {
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;

    public RoomService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    /** @throws ServiceException invalid_request (bad id), conflict (exists), limit_exceeded (maxRooms open) */
    public synchronized Room create(BackendPrincipal caller, String roomId, String source) {
        Project project = ProjectScope.project(store, caller);
        if (!Identifiers.isRoomId(roomId)) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.ROOM_CREATE, "room",
                    ServiceError.INVALID_REQUEST, "room id must be 1-128 printable characters (NFC)");
        }
        if (store.countOpenRooms(project.id()) >= project.maxRooms()) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.ROOM_CREATE, "room:" + roomId,
                    ServiceError.LIMIT_EXCEEDED, "the project has its maximum number of open rooms");
        }
        Room room = Room.open(project.id(), roomId, clock.instant());
        if (!store.createRoom(room)) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.ROOM_CREATE, "room:" + roomId,
                    ServiceError.CONFLICT, "a room with this id exists");
        }
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.ROOM_CREATE, "room:" + roomId,
                Map.of()));
        return room;
    }

    public List<Room> list(BackendPrincipal caller) {
        return store.rooms(caller.projectId());
    }

    public Room get(BackendPrincipal caller, String roomId, String source) {
        return store.room(caller.projectId(), roomId).orElseThrow(() -> ProjectScope.notFound(audit, caller, source,
                AuditAction.ROOM_GET, "room:" + roomId, false));
    }

    /** Closes the room; live sessions in it are told to end. Closing a closed room is a no-op. */
    public Room close(BackendPrincipal caller, String roomId, String source) {
        Room before = get(caller, roomId, source);
        Room after = store.closeRoom(caller.projectId(), roomId, clock.instant()).orElseThrow();
        if (before.isOpen()) {
            audit.append(AuditEvent.success(caller.projectId(), caller.kid(), source, AuditAction.ROOM_CLOSE,
                    "room:" + roomId, Map.of("state", "open->closed")));
            events.roomClosed(caller.projectId(), roomId);
        }
        return after;
    }
}
