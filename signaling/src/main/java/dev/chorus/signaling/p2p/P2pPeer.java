package dev.chorus.signaling.p2p;

import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.TrackKind;
import dev.chorus.signaling.ws.ParticipantSession;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** One participant of a p2p room: its session, rights, and the kinds its last description sends to the other. */
final class P2pPeer {
    final ParticipantSession session;
    final P2pRoom room;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean live;
    volatile MediaRights rights;
    private Set<TrackKind> sending = EnumSet.noneOf(TrackKind.class);

    P2pPeer(ParticipantSession session, P2pRoom room, MediaRights rights) {
        this.session = session;
        this.room = room;
        this.rights = rights;
    }

    String id() {
        return session.participantId();
    }

    boolean isLive() {
        return live && !ended.get();
    }

    void live() {
        live = true;
    }

    boolean end() {
        return ended.compareAndSet(false, true);
    }

    synchronized void sending(Set<TrackKind> kinds) {
        sending = kinds.isEmpty() ? EnumSet.noneOf(TrackKind.class) : EnumSet.copyOf(kinds);
    }

    synchronized Set<TrackKind> sending() {
        return EnumSet.copyOf(sending.isEmpty() ? EnumSet.noneOf(TrackKind.class) : sending);
    }
}
