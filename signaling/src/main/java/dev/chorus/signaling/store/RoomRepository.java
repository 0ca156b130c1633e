package dev.chorus.signaling.store;

import dev.chorus.signaling.project.Room;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Room records of projects (open or closed). Which node hosts a live room is {@link RoomClaims}. */
public interface RoomRepository {

    /** Inserts the room if absent. Returns false (and changes nothing) if a room with that id exists. */
    boolean createRoom(Room room);

    Optional<Room> room(String projectId, String roomId);

    List<Room> rooms(String projectId);

    int countOpenRooms(String projectId);

    /** Closes an open room. Returns the closed room, or empty if unknown. Closing a closed room is a no-op. */
    Optional<Room> closeRoom(String projectId, String roomId, Instant at);
}
