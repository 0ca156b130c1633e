package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.List;

/** Room records for the HTTP API, scoped to the caller's project (another project's room is "not found"). */
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
    public Room create(BackendPrincipal caller, String roomId, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    public List<Room> list(BackendPrincipal caller) {
        throw new UnsupportedOperationException("in progress");
    }

    public Room get(BackendPrincipal caller, String roomId, String source) {
        throw new UnsupportedOperationException("in progress");
    }

    public Room close(BackendPrincipal caller, String roomId, String source) {
        throw new UnsupportedOperationException("in progress");
    }
}
