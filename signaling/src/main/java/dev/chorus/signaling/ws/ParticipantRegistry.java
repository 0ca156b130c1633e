package dev.chorus.signaling.ws;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The live participant sessions of this node. Control actions (revoke a key, close a room, remove a participant)
 * find sessions here and close them; the media plane looks participants up by id.
 */
public final class ParticipantRegistry {
    /**
     * Told when the server ends a session for an authorization reason (before the close frame is queued) and when a
     * refresh replaced a session's token. The media plane uses {@link #revoked} to close the SFU participant at once
     * instead of waiting for the WebSocket close handshake. Must return quickly and not throw.
     */
    public interface Listener {
        default void revoked(ParticipantSession session, int code, String reason) {
        }

        default void renewed(ParticipantSession session) {
        }
    }

    private final ConcurrentHashMap<String, ParticipantSession> byId = new ConcurrentHashMap<>();
    private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void addListener(Listener l) {
        listeners.add(l);
    }

    void renewed(ParticipantSession s) {
        for (Listener l : listeners) {
            try {
                l.renewed(s);
            } catch (RuntimeException e) {
                // a listener must not stop the others
            }
        }
    }

    void add(ParticipantSession s) {
        if (byId.putIfAbsent(s.participantId(), s) != null) {
            throw new IllegalStateException("duplicate participant id");
        }
    }

    void remove(ParticipantSession s) {
        byId.remove(s.participantId(), s);
    }

    public Optional<ParticipantSession> get(String participantId) {
        return Optional.ofNullable(byId.get(participantId));
    }

    public int size() {
        return byId.size();
    }

    public Collection<ParticipantSession> all() {
        return List.copyOf(byId.values());
    }

    public List<ParticipantSession> inRoom(String projectId, String room) {
        return byId.values().stream().filter(s -> s.projectId().equals(projectId) && s.room().equals(room)).toList();
    }

    /** Closes every session matching the predicate; returns how many. */
    public int closeWhere(Predicate<ParticipantSession> which, int code, String reason) {
        int n = 0;
        for (ParticipantSession s : byId.values()) {
            if (which.test(s)) {
                for (Listener l : listeners) {
                    try {
                        l.revoked(s, code, reason);
                    } catch (RuntimeException e) {
                        // a listener must not stop the close
                    }
                }
                s.close(code, reason);
                n++;
            }
        }
        return n;
    }

    public int closeByKey(String projectId, String keyId) {
        return closeWhere(s -> s.projectId().equals(projectId) && keyId.equals(s.keyId()), WsCloseCodes.REVOKED, "key revoked");
    }

    public int closeRoom(String projectId, String room) {
        return closeWhere(s -> s.projectId().equals(projectId) && s.room().equals(room), WsCloseCodes.REVOKED, "room closed");
    }
}
