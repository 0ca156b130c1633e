package dev.chorus.server;

import dev.chorus.signaling.p2p.P2pRelay;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.turn.netty.TurnServer;

/**
 * The built-in TURN relay's side of private peer-to-peer rooms (docs/p2p.md): a p2p session's credential (its
 * opaque id, {@link TurnIceServers#opaqueId}) reaches only the relayed addresses of the session it is paired with.
 * Revocation needs nothing here: {@link TurnIceServers} revokes every session's credentials when it ends.
 */
final class TurnP2pRelay implements P2pRelay {
    private final TurnIceServers ice;
    private final TurnServer relay;

    TurnP2pRelay(TurnIceServers ice, TurnServer relay) {
        this.ice = ice;
        this.relay = relay;
    }

    @Override
    public boolean available() {
        return relay.isRunning();
    }

    @Override
    public void prepare(ParticipantSession s) {
        relay.markP2p(ice.opaqueId(s));
    }

    @Override
    public void pair(ParticipantSession a, ParticipantSession b) {
        relay.pairP2p(ice.opaqueId(a), ice.opaqueId(b));
    }

    @Override
    public void end(ParticipantSession s) {
        relay.endP2p(ice.opaqueId(s));
    }
}
